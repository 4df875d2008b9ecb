// Lint for real bugs (architecture convention 13): type-aware rules on top of strict TypeScript.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'web/dist/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    ignores: ['web/**'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // the console (browser code, its own tsconfig)
  {
    files: ['web/**/*.ts', 'web/**/*.tsx'],
    languageOptions: { parserOptions: { project: './tsconfig.web.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/no-explicit-any': 'off',
      // ECharts renders tooltip and formatter strings as HTML: build them with html`…` (web/src/html.ts), which escapes every value
      'no-restricted-syntax': [
        'error',
        { selector: 'Property[key.name=/^(formatter|tooltip)$/] TemplateLiteral:not(TaggedTemplateExpression TemplateLiteral)', message: 'ECharts renders this as HTML: use html`…` from web/src/html.ts, which escapes every value.' },
        { selector: 'Property[key.name=/^(formatter|tooltip)$/] BinaryExpression[operator="+"]', message: 'ECharts renders this as HTML: use html`…` from web/src/html.ts, which escapes every value.' },
        { selector: 'JSXAttribute[name.name="dangerouslySetInnerHTML"]', message: 'no raw HTML in the console: render text' },
      ],
    },
  },
);
