/**
 * Overlay CSS, scoped by the shadow root: the theme's CSS cannot reach in and this cannot leak
 * out. Only transform/opacity animate, the wrapper is fixed, and images have fixed boxes, so
 * opening the overlay shifts nothing on the page.
 */
export const CSS = `:host{all:initial;--bg:#fff;--fg:#1a1a1a;--btn:#1a1a1a;--bfg:#fff;--r:8px}
.w{position:fixed;z-index:2147483647;font-family:var(--font,inherit);color:var(--fg);font-size:16px;line-height:1.4;text-align:left}
.w *{box-sizing:border-box}
.w[hidden]{display:none}
.pv{position:absolute}
.modal{inset:0;display:flex;align-items:center;justify-content:center;padding:16px}
.slide_in{right:16px;bottom:16px;width:min(380px,calc(100vw - 32px))}
.bar{top:0;left:0;right:0}
.bd{position:absolute;inset:0;background:rgba(0,0,0,.55)}
.d{position:relative;container-type:inline-size;background:var(--bg);border-radius:var(--r);box-shadow:0 8px 32px rgba(0,0,0,.28);padding:24px;max-height:calc(100vh - 32px);overflow:auto;animation:in .22s ease-out}
.d:focus{outline:none}
.modal .d{width:100%;max-width:460px}
.modal .wide{max-width:640px}
.bar .d{border-radius:0;display:flex;align-items:center;justify-content:center;gap:12px;padding:6px 52px 6px 16px;min-height:52px;max-height:none;overflow:hidden;white-space:nowrap;box-shadow:0 2px 8px rgba(0,0,0,.2)}
.bar .im,.bar .b2.cp{display:none}
h2{font-size:1.3em;font-weight:700;line-height:1.25;margin:0 0 8px;padding-right:32px}
.bar h2{font-size:1em;margin:0;padding:0;min-width:0;overflow:hidden;text-overflow:ellipsis}
p{margin:0 0 12px}
.bar p,.bar .row,.bar .cd{margin:0}
.bar .d>p{min-width:0;overflow:hidden;text-overflow:ellipsis}
.bar .d>div,.bar [role=status],.bar .pg{display:flex;align-items:center;gap:8px;flex:none}
.bar .row{flex-wrap:nowrap;margin:0}
.bar .btn,.bar .b2{min-height:36px;padding:4px 14px;flex:none}
.bar .x{top:50%;right:8px;margin-top:-18px;width:36px;height:36px;font-size:22px}
.bar .code{font-size:1em;padding:2px 8px;margin:0}
.bar .pb{width:96px}
.bar .pt{font-size:.875em}
@container (max-width:640px){.bar .d>p,.bar .d:has(.pg) h2{display:none}.bar .d{justify-content:flex-start}.bar .pb{width:64px}}
@container (max-width:420px){.bar .cd,.bar .pb{display:none}}
button,input{font:inherit;color:inherit;margin:0}
a{color:inherit}
.x{position:absolute;top:8px;right:8px;z-index:1;width:40px;height:40px;border:0;background:transparent;color:var(--xfg,var(--fg));border-radius:50%;cursor:pointer;font-size:26px;line-height:1;display:flex;align-items:center;justify-content:center}
.x:hover{background:rgba(127,127,127,.2)}
.oi,.oi:hover{background:var(--bg);box-shadow:0 0 0 1px rgba(0,0,0,.45),0 0 0 2px rgba(255,255,255,.7)}
:focus-visible{outline:2px solid var(--btn);outline-offset:2px}
.row{display:flex;flex-wrap:wrap;gap:8px;margin-top:16px}
.btn,.b2{display:inline-flex;align-items:center;justify-content:center;min-height:44px;padding:8px 20px;border-radius:var(--r);border:2px solid var(--btn);background:var(--btn);color:var(--bfg);font-weight:600;text-decoration:none;cursor:pointer;flex:1 1 auto}
.b2{background:transparent;color:var(--fg)}
.l{list-style:none;padding:0;margin:0;display:grid;gap:16px 12px}
.c,.g1{grid-template-columns:1fr}
.g1{max-width:240px;margin:0 auto}
.g2{grid-template-columns:repeat(2,1fr)}
.g3{grid-template-columns:repeat(3,1fr)}
.g4{grid-template-columns:repeat(4,1fr)}
@container (max-width:480px){.g4{grid-template-columns:repeat(2,1fr)}}
.l li{display:flex;flex-direction:column;gap:8px}
.p{display:flex;flex-direction:column;gap:4px;text-decoration:none;font-size:.875em;flex:1}
.l:not(.c) .t{display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden}
.add{min-height:36px;padding:4px 8px;font-size:.8125em;flex:none;width:100%}
.add:disabled{opacity:.6;cursor:default}
.ph{display:block;width:100%;aspect-ratio:1;border-radius:calc(var(--r)/2);background:rgba(127,127,127,.12)}
.q{font-weight:600;font-size:1.05em}
.cd{margin:12px 0 0;font-size:.875em;font-weight:600;font-variant-numeric:tabular-nums}
.pb{height:10px;border-radius:5px;background:rgba(127,127,127,.25);overflow:hidden}
.pb span{display:block;height:100%;background:var(--btn);border-radius:5px}
.pt{margin:6px 0 0;font-size:.875em;font-weight:600}
.c .p{flex-direction:row;align-items:center;gap:12px}
.p img{width:100%;height:auto;aspect-ratio:1;object-fit:cover;border-radius:calc(var(--r)/2);background:rgba(127,127,127,.12)}
.c .p img,.c .ph{width:56px;flex:none}
.c .t{flex:1}
.pr{font-weight:600}
.im{display:block;width:calc(100% + 48px);max-width:none;height:auto;aspect-ratio:16/9;object-fit:cover;margin:-24px -24px 16px;border-radius:var(--r) var(--r) 0 0}
label{display:block;font-weight:600;margin-bottom:4px}
.ck{display:flex;gap:8px;align-items:flex-start;font-weight:400;font-size:.875em;margin:12px 0 0}
.ck input{width:20px;height:20px;flex:none;accent-color:var(--btn)}
input[type=email]{width:100%;min-height:44px;padding:8px 12px;border:1px solid currentColor;border-radius:var(--r);background:var(--bg)}
.er{color:#b3261e;background:#fff;font-size:.875em;margin:8px 0 0;padding:2px 4px;border-radius:4px}
.code{display:inline-block;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:1.25em;font-weight:700;letter-spacing:.06em;padding:6px 12px;border:2px dashed currentColor;border-radius:var(--r);margin:4px 8px 4px 0}
@keyframes in{from{opacity:0;transform:translateY(12px)}}
.rm .d{animation:none}
@media (prefers-reduced-motion:reduce){.d{animation:none}}
@media (max-width:600px){.slide_in{left:8px;right:8px;bottom:8px;width:auto}}`;
