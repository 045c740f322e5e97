/** The web page's stylesheet: system fonts, one state colour per training state. */
export const STYLE_CSS = `:root { --fg: #1f2937; --muted: #6b7280; --line: #e5e7eb; --bg: #f9fafb; --accent: #2563eb; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', sans-serif; color: var(--fg); background: var(--bg); }
header { display: flex; align-items: center; gap: 1.5rem; padding: 0.6rem 1.2rem; background: #111827; color: #fff; }
header a { color: #d1d5db; text-decoration: none; margin-right: 1rem; }
header a:hover { color: #fff; }
header .brand { color: #fff; font-weight: 700; font-size: 1.1rem; }
header form { margin-left: auto; display: flex; gap: 0.4rem; }
header input { padding: 0.25rem 0.5rem; border-radius: 4px; border: 1px solid #374151; background: #1f2937; color: #fff; width: 16rem; }
button { padding: 0.25rem 0.7rem; border-radius: 4px; border: 1px solid #9ca3af; background: #fff; cursor: pointer; }
main { padding: 1rem 1.2rem; max-width: 1200px; }
h1 { font-size: 1.3rem; margin: 0.2rem 0 0.8rem; }
h2 { font-size: 1.05rem; margin: 1.4rem 0 0.5rem; }
a { color: var(--accent); }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; padding: 0.35rem 0.6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f3f4f6; font-weight: 600; }
tr.selected td { background: #eff6ff; }
.muted { color: var(--muted); }
#notice:not(:empty) { margin: 0.6rem 1.2rem 0; padding: 0.5rem 0.8rem; border-radius: 4px; background: #fef3c7; color: #92400e; }
.state { display: inline-block; padding: 0.05rem 0.5rem; border-radius: 999px; font-size: 0.8rem; font-weight: 600; color: #fff; background: #6b7280; }
.state-scheduling { background: #d97706; }
.state-running { background: #2563eb; }
.state-succeeded { background: #16a34a; }
.state-failed { background: #dc2626; }
.state-unknown { background: #6b7280; }
dl.summary { display: grid; grid-template-columns: max-content 1fr; gap: 0.2rem 1rem; background: #fff; border: 1px solid var(--line); padding: 0.6rem 0.8rem; margin: 0; }
dl.summary dt { color: var(--muted); }
dl.summary dd { margin: 0; font-family: ui-monospace, monospace; word-break: break-all; }
pre.log { background: #111827; color: #e5e7eb; padding: 0.7rem; max-height: 28rem; overflow: auto; font-size: 12px; white-space: pre-wrap; word-break: break-all; }
.plots { display: flex; flex-wrap: wrap; gap: 0.8rem; }
svg.plot { background: #fff; border: 1px solid var(--line); }
svg.plot .grid { stroke: #eef0f3; }
svg.plot .frame { fill: none; stroke: #d1d5db; }
svg.plot .tick { font-size: 10px; fill: var(--muted); }
svg.plot .title { font-size: 12px; font-weight: 600; fill: var(--fg); }
svg.plot .legend { font-size: 11px; }
svg.plot .empty { font-size: 12px; fill: var(--muted); text-anchor: middle; }
`;
