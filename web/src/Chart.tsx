import * as echarts from 'echarts';
import { useEffect, useRef } from 'react';

/** An ECharts chart that follows its option and its container's size. */
export function Chart({ option, height = 220, testId, dark = false, onPick }: { option: echarts.EChartsCoreOption; height?: number | string; testId?: string; dark?: boolean; onPick?: (dataIndex: number, name: string) => void }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts>(undefined);
  // a click on a bar or a slice drills down (the dashboard opens the queue filtered so)
  const pick = useRef(onPick);
  pick.current = onPick;
  useEffect(() => {
    chart.current = echarts.init(el.current!, dark ? 'dark' : undefined);
    chart.current.on('click', (p) => pick.current?.(p.dataIndex, String(p.name)));
    const ro = new ResizeObserver(() => chart.current?.resize());
    ro.observe(el.current!);
    return () => {
      ro.disconnect();
      chart.current?.dispose();
    };
  }, [dark]);
  useEffect(() => {
    // no animation: a wall screen refreshes every few seconds and must not replay its bars each time
    chart.current?.setOption({ animation: false, ...(dark ? { backgroundColor: 'transparent' } : {}), ...option }, true);
  }, [option]);
  return <div ref={el} style={{ height, width: '100%', cursor: onPick ? 'pointer' : undefined }} data-testid={testId} />;
}
