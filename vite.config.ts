import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The analyst's console: built into dist/ui, served by the product's own server.
export default defineConfig({
  root: 'web',
  plugins: [react()],
  build: { outDir: '../dist/ui', emptyOutDir: true, chunkSizeWarningLimit: 4000 },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
