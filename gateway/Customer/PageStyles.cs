namespace Widgets.Gateway.Customer;

/// <summary>The inline stylesheets: system fonts only, no external resources.</summary>
internal static class PageStyles
{
    private const string Base = """
        *,*::before,*::after{box-sizing:border-box}
        [hidden]{display:none!important}
        body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;-webkit-font-smoothing:antialiased}
        .icon circle:first-child{fill:currentColor}
        .icon-ok{color:#16a34a}.icon-info{color:#2563eb}.icon-muted{color:#94a3b8}.icon-warn{color:#d97706}
        """;

    /// <summary>The customer-facing screen: landscape, high contrast, readable from a couple of metres.</summary>
    public const string Screen = Base + """
        html,body{height:100%}
        body{background:radial-gradient(circle at 20% 20%,#1e293b,#0b1120 70%);color:#f8fafc;overflow:hidden}
        .view{height:100vh;display:grid;grid-template-columns:auto minmax(0,1fr);align-items:center;gap:5vw;padding:6vh 6vw}
        .qr{background:#fff;border-radius:3vh;padding:1.5vh;box-shadow:0 2vh 6vh rgba(0,0,0,.5)}
        .qr img{display:block;width:min(78vh,44vw);height:auto;image-rendering:pixelated}
        .copy h1{margin:0;font-size:clamp(2rem,4.8vw,5.5rem);line-height:1.05;font-weight:800;letter-spacing:-.02em}
        .copy p{margin:2.5vh 0 0;font-size:clamp(1.1rem,2.3vw,2.6rem);line-height:1.3;color:#cbd5e1}
        .copy .hint{display:flex;align-items:center;gap:1.2vw;margin-top:5vh;font-weight:700;color:#7dd3fc}
        .hint .icon{width:1.6em;height:1.6em;flex:none}
        .timer{margin-top:5vh;font-size:clamp(1rem,1.9vw,2rem);color:#94a3b8}
        .timer b{color:#f8fafc;font-size:1.4em;font-variant-numeric:tabular-nums;margin-left:.3em}
        .bar{height:1.2vh;max-width:36vw;margin-top:1.5vh;border-radius:1vh;background:#1e293b;overflow:hidden}
        .bar span{display:block;height:100%;background:linear-gradient(90deg,#38bdf8,#818cf8);transform-origin:left;transition:transform .25s linear}
        .big{display:flex;justify-content:center}
        .big .icon{width:min(60vh,36vw);height:auto}
        .center{height:100vh;display:flex;flex-direction:column;align-items:center;justify-content:center;text-align:center;padding:6vh 8vw}
        .center .icon{width:22vh;height:22vh;margin-bottom:4vh}
        .center h1{margin:0;font-size:clamp(2.2rem,6vw,6.5rem);font-weight:800;letter-spacing:-.02em}
        .center p{margin:2.5vh 0 0;font-size:clamp(1.1rem,2.6vw,2.8rem);color:#cbd5e1}
        .ended{color:#94a3b8}.ended h1{color:#e2e8f0}
        @media (orientation:portrait){.view{grid-template-columns:1fr;align-content:center;justify-items:center;text-align:center}.qr img{width:70vw}.copy .hint{justify-content:center}.bar{margin-inline:auto}}
        """;

    /// <summary>The mobile landing page: one card, large tap targets, 17px text so phones do not zoom into fields.</summary>
    public const string Landing = Base + """
        body{background:#eef2f7;color:#0f172a;font-size:17px;line-height:1.45;-webkit-text-size-adjust:100%}
        .card{max-width:480px;min-height:100vh;margin:0 auto;padding:32px 22px 48px;background:#fff}
        @media (min-width:540px){body{padding:40px 16px}.card{min-height:0;border-radius:22px;box-shadow:0 12px 40px rgba(15,23,42,.10)}}
        h1{margin:0 0 10px;font-size:1.75rem;line-height:1.2;letter-spacing:-.01em}
        .lead{margin:0 0 26px;color:#475569}
        .field{display:block;margin:0 0 18px;font-weight:600;font-size:.95rem}
        .field input,.field textarea{display:block;width:100%;margin-top:6px;padding:12px 14px;min-height:52px;font:inherit;font-size:17px;font-weight:400;color:inherit;background:#fff;border:1.5px solid #cbd5e1;border-radius:12px;-webkit-appearance:none;appearance:none}
        .field textarea{min-height:110px;resize:vertical}
        .field input:focus,.field textarea:focus{outline:3px solid #bfdbfe;outline-offset:0;border-color:#2563eb}
        .optional{font-weight:400;color:#64748b}
        .row{display:grid;grid-template-columns:1fr 1fr;gap:0 12px}
        .invalid input,.invalid textarea,.check.invalid{border-color:#dc2626}
        .error{display:block;margin-top:6px;color:#b91c1c;font-size:.9rem;font-weight:600}
        .check{display:flex;gap:12px;align-items:flex-start;margin:0 0 18px;padding:14px;border:1.5px solid #e2e8f0;border-radius:12px;font-size:.95rem;font-weight:400;cursor:pointer}
        .check input{flex:none;width:26px;height:26px;margin:0;accent-color:#2563eb}
        .check .error{margin-top:4px}
        fieldset{margin:0 0 22px;padding:0;border:0;min-width:0}
        legend{padding:0;margin-bottom:8px;font-weight:600}
        .choices{display:flex;flex-wrap:wrap;gap:8px}
        .choices.rating{display:grid;grid-template-columns:repeat(5,1fr)}
        .choice{position:relative;display:block}
        .choice input{position:absolute;opacity:0;inset:0;margin:0}
        .choice span{display:flex;align-items:center;justify-content:center;min-width:56px;min-height:52px;padding:0 18px;border:1.5px solid #cbd5e1;border-radius:12px;font-weight:600;cursor:pointer;user-select:none}
        .choice input:checked+span{background:#2563eb;border-color:#2563eb;color:#fff}
        .choice input:focus-visible+span{outline:3px solid #bfdbfe}
        .scale{display:flex;justify-content:space-between;margin-top:6px;color:#64748b;font-size:.85rem}
        fieldset.invalid .choice span{border-color:#dc2626}
        .rules{margin:0 0 12px;padding:12px 14px;max-height:180px;overflow:auto;background:#f8fafc;border-radius:12px;color:#475569;font-size:.88rem;white-space:pre-line}
        button{display:block;width:100%;min-height:56px;margin-top:8px;border:0;border-radius:14px;background:#2563eb;color:#fff;font:inherit;font-size:1.1rem;font-weight:700;cursor:pointer}
        button:active{background:#1d4ed8}
        .alert{margin:0 0 20px;padding:12px 14px;border-radius:12px;background:#fef2f2;color:#991b1b;font-weight:600}
        .hint{margin:-8px 0 18px;color:#64748b;font-size:.9rem}
        .result{text-align:center;padding-top:12px}
        .result .icon{width:84px;height:84px;margin-bottom:14px}
        .code{margin:8px 0 14px;padding:22px 12px;border:2px dashed #2563eb;border-radius:16px;background:#eff6ff;color:#1e3a8a;font:800 2.3rem/1.15 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;letter-spacing:.08em;word-break:break-all;user-select:all}
        .muted{color:#64748b;font-size:.92rem}
        """;
}
