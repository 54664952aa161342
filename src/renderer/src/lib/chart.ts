// chart.js with only what the app draws (tree-shaken), and the app's look.
import { BarController, BarElement, CategoryScale, Chart, Filler, Legend, LinearScale, LineController, LineElement, LogarithmicScale, PointElement, ScatterController, Tooltip } from 'chart.js';

Chart.register(LineController, LineElement, PointElement, LinearScale, LogarithmicScale, CategoryScale, BarController, BarElement, ScatterController, Legend, Tooltip, Filler);
Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily;
Chart.defaults.font.size = 11.5;
Chart.defaults.color = '#687182';
Chart.defaults.borderColor = '#eceef1';
Chart.defaults.animation = false;

export { Chart };
