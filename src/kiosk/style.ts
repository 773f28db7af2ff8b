// Kiosk styles: big targets for gloved hands, high contrast, readable from 1024x600 up; nothing from the internet.
export const KIOSK_CSS = `
*{box-sizing:border-box}body{margin:0;font:18px/1.35 system-ui,sans-serif;background:#111;color:#f4f4f4}
header{display:flex;gap:12px;align-items:center;padding:8px 12px;background:#000;border-bottom:2px solid #333}
a{color:#8fd3ff}.home{font-size:22px;font-weight:700;text-decoration:none;color:#fff;min-height:48px;display:flex;align-items:center}
.scan{display:flex;flex:1;gap:8px}.scan input{flex:1;min-height:52px;font-size:22px;padding:0 12px;border-radius:6px;border:2px solid #555;background:#222;color:#fff}
button,.button{min-height:52px;min-width:96px;font-size:20px;font-weight:600;border-radius:6px;border:0;background:#1f6feb;color:#fff;padding:0 16px;display:inline-flex;align-items:center;justify-content:center;text-decoration:none}
.banner{padding:10px 14px;font-weight:700}.warn{background:#8a5a00}.bad{background:#8b1c1c;color:#fff}
.printers{display:flex;flex-wrap:wrap;gap:8px;padding:8px 12px;background:#1a1a1a}
.printer{padding:6px 10px;border-radius:4px;font-weight:600;background:#444}
.s-ready{background:#1d6b2f}.s-printing{background:#1f4fa0}.s-paused,.s-no-media,.s-head-open,.s-ribbon-out{background:#8a5a00}.s-offline,.s-error{background:#8b1c1c}.s-unknown{background:#555}
main{padding:12px}h1{font-size:28px;margin:8px 0}h1 small{color:#aaa;font-weight:400}
table.list{width:100%;border-collapse:collapse}table.list td,table.list th{padding:10px;border-bottom:1px solid #333;text-align:left}
a.big{font-size:22px;font-weight:700;display:inline-block;min-height:48px;line-height:48px}
.line{background:#1b1b1b;border:1px solid #333;border-radius:8px;padding:10px 14px;margin:12px 0}.line h2{margin:4px 0;font-size:22px}.qty{color:#ffd166}
.ends{display:grid;grid-template-columns:1fr 1fr;gap:12px}.end{background:#242424;border-radius:6px;padding:8px}
.endlabel{font-weight:700;color:#aaa}.crimp{font-size:34px;font-weight:800;color:#ffd166;margin:4px 0}.small{font-size:15px;color:#bbb}
.preview{display:block;margin-top:8px;max-width:100%;background:#fff;border-radius:4px}.note{background:#2b2b12;padding:8px;border-radius:6px}.meta{color:#ccc}.notice{padding:20px}
`;
