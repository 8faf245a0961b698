// echarts, with only the parts the dashboard draws (keeps the bundle small).
import { HeatmapChart, LineChart } from 'echarts/charts';
import {
  AriaComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  HeatmapChart,
  LineChart,
  AriaComponent,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

export { echarts };
export type EChart = ReturnType<typeof echarts.init>;

/** A chart in `container`, resized with the window; `dispose()` when the view unmounts. */
export function chartIn(container: HTMLElement): { chart: EChart; dispose: () => void } {
  const chart = echarts.init(container, undefined, { renderer: 'canvas' });
  const resize = () => chart.resize();
  window.addEventListener('resize', resize);
  return {
    chart,
    dispose: () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    },
  };
}
