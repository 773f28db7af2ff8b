// Kiosk styles: big targets for gloved hands, high contrast, readable from 1024x600 up; nothing from the internet.
export const KIOSK_CSS = `
*{box-sizing:border-box}html{font-size:18px;scroll-padding-bottom:calc(var(--jobs-height,0px) + 12px);scroll-padding-top:80px}
body{margin:0;font:1rem/1.35 system-ui,"DejaVu Sans",sans-serif;background:#111;color:#f4f4f4;padding-bottom:calc(var(--jobs-height,0px) + 2rem)}
header{display:flex;gap:10px;align-items:center;padding:8px 12px;background:#000;border-bottom:2px solid #333;position:sticky;top:0;z-index:3}
a{color:#8fd3ff}.home{font-size:1.25rem;font-weight:700;text-decoration:none;color:#fff;min-height:52px;display:flex;align-items:center;white-space:nowrap}
.scan{display:flex;flex:1;gap:8px;min-width:0}.scan input{flex:1;min-width:0;min-height:52px;font-size:1.25rem;padding:0 12px;border-radius:6px;border:2px solid #666;background:#222;color:#fff}
input,select{min-height:52px;font-size:1.15rem;border-radius:6px;border:2px solid #666;background:#222;color:#fff;padding:0 10px}input[type=number]{width:6.5rem}
button,.button{min-height:52px;min-width:96px;font-size:1.1rem;font-weight:700;border-radius:6px;border:0;background:#1f6feb;color:#fff;padding:0 16px;display:inline-flex;align-items:center;justify-content:center;text-decoration:none;cursor:pointer;touch-action:manipulation}
button:disabled{background:#444;color:#aaa}.secondary{background:#3a3f47}.danger{background:#b42318}
.banner{padding:10px 14px;font-weight:700}.banner .why{font-weight:400}.warn{background:#8a5a00;color:#fff}.bad{background:#8b1c1c;color:#fff}h1 .bad,p .bad,strong.bad{background:none;color:#ff8a80}
.printers,#printers{display:flex;flex-wrap:wrap;gap:8px;padding:8px 12px;background:#1a1a1a}
.printer{padding:8px 12px;border-radius:4px;font-weight:600;font-size:1rem;background:#555;min-height:44px;display:inline-flex;gap:6px;align-items:center}.printer[aria-expanded=true]{outline:3px solid #ffd166}
#chip-detail{margin:0;padding:10px 14px;background:#242424;border-bottom:2px solid #333}#chip-detail[hidden]{display:none}
.s-ready{background:#1d6b2f}.s-printing{background:#1f4fa0}.s-paused,.s-no-media,.s-head-open,.s-ribbon-out{background:#8a5a00}.s-offline,.s-error{background:#8b1c1c}.s-unknown{background:#555}
main{padding:12px}h1{font-size:1.6rem;margin:6px 0}h1 small{color:#bbb;font-weight:400}.titlebar{display:flex;flex-wrap:wrap;gap:10px;align-items:center;justify-content:space-between}
.search{display:flex;gap:8px}.search input{min-width:15rem}button.busy{background:#2d4f7c;cursor:progress}.woactions,.actions,.choices{display:flex;flex-wrap:wrap;gap:8px;align-items:center}
table.list{width:100%;border-collapse:collapse}table.list td,table.list th{padding:10px;border-bottom:1px solid #333;text-align:left;vertical-align:middle}
a.big{font-size:1.25rem;font-weight:700;display:inline-block;min-height:48px;line-height:48px}
.badge{padding:3px 8px;border-radius:4px;font-weight:700;background:#444}.badge.done,.badge.s-done{background:#1d6b2f}.badge.s-needs-attention,.badge.s-failed{background:#b42318}.badge.s-queued{background:#3a3f47}
.line{background:#1b1b1b;border:1px solid #333;border-radius:8px;padding:10px 14px;margin:12px 0}.line.focus{border:3px solid #ffd166}.line h2{margin:4px 0;font-size:1.35rem}.qty-badge{color:#ffd166}
.tags{margin:6px 0;padding:6px 10px;border-radius:6px;font-weight:700;display:inline-block}.tags[hidden]{display:none}.tags.t-printed{background:#1d6b2f}.tags.t-queued{background:#1f4fa0}.tags.t-attention{background:#b42318}.tags.t-changed{background:#8a5a00}.badge.partial{background:#5b4a00}
.hose{margin:4px 0 8px}.ends{display:grid;grid-template-columns:1fr 1fr;gap:12px;margin-bottom:10px}.end{background:#242424;border-radius:6px;padding:8px}
.endlabel{font-weight:700;color:#bbb}.fitting{font-weight:700}.crimp{font-size:2.1rem;font-weight:800;color:#ffd166;margin:4px 0;line-height:1.1}.small{font-size:.85rem;color:#c8c8c8}
.note{background:#2b2b12;padding:8px;border-radius:6px}.meta{color:#ddd}.notice{padding:20px}.qtylabel{display:inline-flex;gap:6px;align-items:center;font-weight:700}.qtylabel .from{font-weight:400;color:#ddd}
.preview{display:block;margin-top:10px;max-width:100%;background:#fff;border-radius:4px}.reprint{display:flex;gap:12px;align-items:center;background:#3d3200;padding:8px;border-radius:6px;margin-bottom:8px}
#jobs{position:fixed;left:0;right:0;bottom:0;z-index:4;background:#0b0b0b;border-top:2px solid #444;padding:0 12px}#jobs[hidden],#jobs:empty{display:none}
#jobs-toggle{width:100%;justify-content:space-between;min-height:48px;margin:4px 0;background:#1c2330}#jobs-toggle .sum{display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden;text-align:left}.jobs-list{max-height:38vh;overflow:auto;padding-bottom:6px}
.job{padding:8px 0;border-bottom:1px solid #333;display:flex;flex-wrap:wrap;gap:8px;align-items:center}.job.attention{display:block;background:#2a1414;padding:10px;border-radius:6px;margin:6px 0}
.progress{font-size:1.3rem;font-weight:800;color:#8fd3ff}.waiting{flex-basis:100%;color:#ffd166;font-weight:700}
.choices button small{font-weight:400;font-size:.8rem}.lasttag{display:flex;gap:8px;align-items:center;margin:6px 0}.lasttag input{width:16rem}.badge.s-sent,.badge.stale{background:#5b4a00}.badge.late{background:#b42318}.badge.today{background:#8a5a00}
#toast{position:fixed;left:50%;transform:translateX(-50%);top:76px;padding:14px 20px;border-radius:8px;font-weight:700;z-index:5;max-width:90vw;box-shadow:0 4px 16px #000a}#toast.ok{background:#1d6b2f}#toast.bad{background:#b42318}
ul.kit{margin:4px 0 10px}
.designer{display:flex;flex-direction:column;gap:8px}.dtools{display:flex;flex-wrap:wrap;gap:8px;align-items:center}.dtools label,.dprops label{display:inline-flex;gap:6px;align-items:center;font-weight:600}
.dtools input[type=number]{width:5.5rem}.dbody{display:grid;grid-template-columns:8.5rem 1fr 19rem;gap:10px;align-items:start}
.dpalette{display:flex;flex-direction:column;gap:6px}.dpalette button{min-width:0;width:100%}
.dcanvas-wrap{min-width:0;overflow:auto;padding:4px}.dcanvas{position:relative;background:#fff;box-shadow:0 0 0 1px #888;touch-action:none;user-select:none}
.dcanvas img{position:absolute;left:0;top:0;width:100%;height:100%;image-rendering:pixelated;pointer-events:none}#overlay{position:absolute;inset:0}
#overlay .el{position:absolute;outline:1px dashed #1f6feb88;cursor:move;touch-action:none;min-width:6px;min-height:6px}#overlay .el.selected{outline:3px solid #1f6feb;background:#1f6feb18}
.grip{position:absolute;right:-14px;bottom:-14px;width:28px;height:28px;border-radius:50%;background:#1f6feb;border:3px solid #fff;cursor:nwse-resize}
.dprops{display:flex;flex-direction:column;gap:8px;background:#1b1b1b;border:1px solid #333;border-radius:8px;padding:10px}.dprops h3{margin:0}.dprops input:not([type=checkbox]),.dprops select{width:100%}.dprops label{display:grid;grid-template-columns:6.5rem 1fr}
.dprops textarea{width:100%;font:0.85rem monospace;background:#222;color:#fff}#dstatus{min-height:1.5em;margin-top:6px;font-weight:700}#dstatus.bad,#designer-report .bad{color:#ff8a80;background:none}#dstatus.ok{color:#9be39b}
.ask{position:fixed;inset:0;background:#000c;display:flex;align-items:center;justify-content:center;z-index:10}.ask-box{background:#1b1b1b;border:2px solid #ffd166;border-radius:10px;padding:20px 24px;max-width:min(44rem,94vw)}.ask-text{white-space:pre-line;font-size:1.15rem;margin:0 0 16px}.ask-choices{display:flex;gap:16px;justify-content:flex-end;flex-wrap:wrap}.ask-choices button{min-height:64px;min-width:10rem;font-size:1.2rem}
.pin-dialog{position:fixed;inset:0;background:#000c;display:flex;align-items:center;justify-content:center;z-index:10}.pin-dialog form{background:#1b1b1b;padding:24px;border-radius:10px;display:flex;flex-direction:column;gap:10px;min-width:20rem}
.pgrid{display:grid;grid-template-columns:repeat(auto-fill,minmax(17rem,1fr));gap:8px 14px}.pgrid label{display:flex;flex-direction:column;gap:4px;font-weight:600}.pform h3 label{display:flex;gap:10px;align-items:center}.pform input[type=checkbox]{width:28px;height:28px;min-height:0}.pgrid input:not([type=checkbox]),.pgrid select{width:100%}
.pgrid fieldset{border:1px solid #444;border-radius:6px}.pgrid fieldset label{flex-direction:row;align-items:center;gap:8px;display:inline-flex;margin:4px 18px 4px 0}#f-for{grid-column:1/-1}.pform{background:#1b1b1b;border:1px solid #333;border-radius:8px;margin:10px 0}.banner.ok{background:#1d6b2f;color:#fff}.s-disabled{background:#5a2d82}
progress{width:100%;height:28px}#p-list td.actions{gap:6px}
@media (max-width:1100px){.dbody{grid-template-columns:7rem 1fr 15rem}}
@media (max-width:1100px){html{font-size:16px}.crimp{font-size:1.8rem}}
`;
