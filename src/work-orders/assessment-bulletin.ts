import { SCORE_ITEM_NAMES, SCORE_ITEMS } from '../domain/work-orders/assessment-score.ts';
import type { PublicationRecord } from '../store/assessment-repo.ts';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => ESCAPES[c]!);

function shanghaiDateTime(ms: number): string {
  const d = new Date(ms + 8 * 3_600_000);
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
}

const pct = (x: number | null) => (x === null ? '—' : `${(x * 100).toFixed(1)}%`);

/**
 * The monthly bulletin (月度通报, art. 30 and 33) as a self-contained printable HTML page in Chinese: ranking,
 * item scores, the month's weights, and the history of corrections after appeals. Every value is escaped.
 */
export function bulletinHtml(
  p: PublicationRecord,
  history: PublicationRecord[],
  unitName: (id: string) => string,
): string {
  const [y, m] = p.month.split('-').map(Number) as [number, number];
  const title = `12345政务服务便民热线成员单位考核月度通报（${y}年${m}月）`;
  const head = SCORE_ITEMS.map(
    (i) => `<th>${esc(SCORE_ITEM_NAMES[i])}<br><small>${esc(p.weights[i])}分</small></th>`,
  ).join('');
  const rows = p.results
    .map(
      (r) =>
        `<tr><td>${r.rank}</td><td>${esc(unitName(r.unitId))}</td><td class="total">${r.total.toFixed(2)}</td>${SCORE_ITEMS.map(
          (i) => `<td>${r.items[i].toFixed(2)}</td>`,
        ).join('')}<td>${r.figures.counted}</td><td>${pct(r.figures.signOnTimeRate)}</td><td>${pct(
          r.figures.completionOnTimeRate,
        )}</td><td>${pct(r.figures.satisfactionRate)}</td></tr>`,
    )
    .join('\n');
  const missing = p.results.filter((r) => r.manualMissing.length > 0);
  const corrections = history
    .filter((h) => h.version > 1)
    .map((h) => `<li>第${h.version}版（${esc(shanghaiDateTime(h.publishedAt))}）：${esc(h.note ?? '')}</li>`)
    .join('');
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>${esc(title)}</title>
<style>
  body { font-family: "Noto Serif CJK SC", "Songti SC", "SimSun", serif; margin: 2cm; color: #000; }
  h1 { font-size: 20pt; text-align: center; margin-bottom: 0.2em; }
  .meta { text-align: center; color: #333; margin-bottom: 1.5em; }
  table { border-collapse: collapse; width: 100%; font-size: 9pt; }
  th, td { border: 1px solid #444; padding: 3px 4px; text-align: center; }
  td.total { font-weight: bold; }
  small { font-weight: normal; }
  @media print { body { margin: 1cm; } @page { size: A4 landscape; } }
</style>
</head>
<body>
<h1>${esc(title)}</h1>
<p class="meta">第${p.version}版 · 发布时间 ${esc(shanghaiDateTime(p.publishedAt))} · 考核周期 ${p.cycle - 1}年12月1日至${p.cycle}年11月30日</p>
<p>根据《广西12345政务服务便民热线管理办法》第三十条至第三十三条，现将${y}年${m}月各成员单位考核结果通报如下。考核实行百分制，以平台采集数据为主、人工考核为辅；本月各项分值按本考核周期确定的权重计算。</p>
<table>
<thead><tr><th>排名</th><th>成员单位</th><th>总分</th>${head}<th>计入工单</th><th>按时签收率</th><th>按时办结率</th><th>满意率</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
${missing.length > 0 ? `<p>人工考核项未录入、按满分计的单位：${missing.map((r) => esc(unitName(r.unitId))).join('、')}。</p>` : ''}
${corrections ? `<h2>更正说明</h2><ul>${corrections}</ul>` : ''}
<p>成员单位对考核数据有异议的，应及时提出申诉；考核周期结束后7个工作日内仍可申诉，超期不再受理（第三十二条）。</p>
</body>
</html>
`;
}
