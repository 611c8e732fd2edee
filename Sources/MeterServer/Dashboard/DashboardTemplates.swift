import Mustache

/// The dashboard's Mustache templates, compiled into the binary (no files to deploy, no CDN). Pages
/// render on the server; the only script polls the ledger's version and swaps in the new `<main>`.
enum DashboardTemplates {
    static let library: MustacheLibrary = {
        var library = MustacheLibrary()
        do {
            for (name, text) in templates { try library.register(text, named: name) }
        } catch {
            fatalError("a dashboard template does not parse: \(error)")
        }
        return library
    }()

    static func render(_ context: [String: Any], _ name: String) -> String {
        guard let html = library.render(context, withTemplate: name) else {
            fatalError("no dashboard template \(name)")
        }
        return html
    }

    static let templates: [String: String] = [
        "head": head, "foot": foot, "signIn": signIn, "overview": overview, "account": account,
    ]

    static let head = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · wameter</title>
        <style>
        :root { --ink: #1d2733; --muted: #5d6b7a; --line: #dde3ea; --accent: #128c7e; --warn: #b54708; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #f6f8fa; }
        header { display: flex; align-items: center; gap: 1rem; padding: .75rem 1.25rem; background: #fff; border-bottom: 1px solid var(--line); }
        header a.brand { font-weight: 700; color: var(--accent); text-decoration: none; }
        header form { margin-left: auto; }
        main { max-width: 1100px; margin: 0 auto; padding: 1rem 1.25rem 3rem; }
        h1 { font-size: 1.35rem; margin: .5rem 0 1rem; }
        h2 { font-size: 1.05rem; margin: 1.5rem 0 .5rem; }
        .cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: .75rem; }
        .card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: .75rem 1rem; }
        .card .label { color: var(--muted); font-size: .8rem; text-transform: uppercase; letter-spacing: .03em; }
        .card .value { font-size: 1.35rem; font-weight: 600; font-variant-numeric: tabular-nums; }
        .table-wrap { overflow-x: auto; background: #fff; border: 1px solid var(--line); border-radius: 8px; }
        table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
        th, td { padding: .45rem .75rem; border-bottom: 1px solid var(--line); text-align: left; white-space: nowrap; }
        th { font-size: .8rem; color: var(--muted); font-weight: 600; }
        td.num, th.num { text-align: right; }
        td.text { white-space: normal; min-width: 14rem; }
        .warn { color: var(--warn); font-weight: 600; }
        .notice { background: #fff7ed; border: 1px solid #fed7aa; border-radius: 8px; padding: .6rem .9rem; margin: .75rem 0; }
        .chart { width: 100%; height: auto; background: #fff; border: 1px solid var(--line); border-radius: 8px; }
        .chart .grid { stroke: var(--line); }
        .chart .axis { font-size: 11px; fill: var(--muted); }
        .legend span { display: inline-block; margin-right: 1rem; font-size: .85rem; }
        .legend i { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px; margin-right: .3rem; vertical-align: -1px; }
        .muted { color: var(--muted); }
        /* A cell's detail on a line of its own, so that the tables fit a 1280-pixel screen. */
        .sub { font-size: .8rem; }
        a { color: var(--accent); }
        button, input { font: inherit; }
        button { background: var(--accent); color: #fff; border: 0; border-radius: 6px; padding: .4rem .9rem; cursor: pointer; }
        header button { background: none; color: var(--muted); border: 1px solid var(--line); white-space: nowrap; }
        .live { font-size: .8rem; color: var(--muted); }
        @media (max-width: 600px) { main { padding: .75rem; } .card .value { font-size: 1.1rem; } }
        </style>
        </head>
        <body data-version="{{version}}">
        <header>
        <a class="brand" href="/">wameter</a>
        <span class="live" id="live">{{#live}}live{{/live}}</span>
        {{#signedIn}}<form method="post" action="/sign-out"><button type="submit">Sign out</button></form>{{/signedIn}}
        </header>
        <main>
        """

    static let foot = """
        </main>
        {{#live}}
        <script>
        // Listens to the ledger's version (server-sent events; polling where the browser or a proxy
        // cannot stream); when it moves, fetches this page again and swaps its <main> in place: no
        // reload, no flicker.
        (function () {
          // The version of the figures shown: the page's, then each fetched page's. The server
          // renders a page at most once a second and may answer with a render a little older than
          // the version announced; the next announcement (or poll) then asks again.
          let shown = document.body.dataset.version || null;
          let fetching = false;
          async function refresh(now) {
            if (shown === null) { shown = now; return; }
            if (now === shown || fetching) { return; }
            fetching = true;
            try {
              const page = await fetch(location.href, { credentials: 'same-origin', cache: 'no-store' });
              if (page.ok) {
                const doc = new DOMParser().parseFromString(await page.text(), 'text/html');
                const fresh = doc.querySelector('main');
                if (fresh) { document.querySelector('main').innerHTML = fresh.innerHTML; }
                document.title = doc.title;
                shown = doc.body.dataset.version || now;
                document.getElementById('live').textContent = 'live · updated ' + new Date().toLocaleTimeString();
              }
            } catch (e) { /* the next version retries */ }
            fetching = false;
            if (latest !== null && latest !== shown) { refresh(latest); }
          }
          let latest = null;
          async function poll() {
            try {
              const answer = await fetch('/dashboard/version', { credentials: 'same-origin', cache: 'no-store' });
              if (answer.ok) { latest = await answer.text(); await refresh(latest); }
            } catch (e) { /* the next poll retries */ }
            setTimeout(poll, 1000);
          }
          if (!window.EventSource) { poll(); return; }
          let failures = 0;
          const events = new EventSource('/dashboard/events');
          events.addEventListener('version', function (event) { failures = 0; latest = event.data; refresh(latest); });
          events.onerror = function () {
            // The browser reconnects by itself; after three failures in a row, poll instead.
            failures += 1;
            if (failures >= 3) { events.close(); poll(); }
          };
        })();
        </script>
        {{/live}}
        </body>
        </html>
        """

    static let signIn = """
        {{> head}}
        <h1>Sign in</h1>
        {{#error}}<p class="notice">{{error}}</p>{{/error}}
        <form method="post" action="/sign-in" class="card" style="max-width: 420px">
        <p><label for="token">API token (<code>WAMETER_API_TOKEN</code>)</label><br>
        <input id="token" name="token" type="password" autocomplete="current-password" required style="width: 100%"></p>
        <p><button type="submit">Sign in</button></p>
        </form>
        {{> foot}}
        """

    static let overview = """
        {{> head}}
        <h1>This month, every account</h1>
        {{#hasAccounts}}<div class="cards" style="margin-bottom: 1rem">
        {{#totals}}<div class="card"><div class="label">Spend, {{currency}}</div><div class="value">{{spend}}</div></div>{{/totals}}
        <div class="card"><div class="label">Delivered</div><div class="value">{{delivered}}</div></div>
        <div class="card"><div class="label">Charged</div><div class="value">{{charged}}</div></div>
        <div class="card"><div class="label">Received</div><div class="value">{{received}}</div></div>
        </div>{{/hasAccounts}}
        {{^accounts}}<p class="muted">No accounts yet: they appear with the first webhook, or with <code>wameter accounts add</code>.</p>{{/accounts}}
        {{#portfolios}}{{#first()}}<h2>By portfolio</h2>
        <div class="table-wrap"><table>
        <thead><tr><th>portfolio</th><th class="num">accounts</th><th class="num">delivered</th><th class="num">charged</th>
        <th class="num">free</th><th class="num">received</th><th class="num">spend</th><th class="num">last month to date</th>
        <th class="num">month end (forecast)</th><th>unrated</th></tr></thead>
        <tbody>{{/first()}}
        <tr><td>{{name}}</td><td class="num">{{accounts}}</td><td class="num">{{delivered}}</td><td class="num">{{charged}}</td>
        <td class="num">{{free}}</td><td class="num">{{received}}</td><td class="num">{{spend}} {{currency}}</td>
        <td class="num">{{previous}} {{currency}}</td><td class="num">{{forecast}} {{currency}}</td>
        <td>{{#unrated}}<span class="warn">{{unrated}} unrated</span>{{/unrated}}</td></tr>
        {{#last()}}</tbody></table></div>
        <h2>By account</h2>{{/last()}}{{/portfolios}}
        {{#hasAccounts}}
        <div class="table-wrap"><table>
        <thead><tr><th>account</th><th class="num">delivered</th><th class="num">charged</th>
        <th class="num">free</th><th class="num">received</th><th class="num">spend</th><th class="num">last month to date</th>
        <th class="num">month end (forecast)</th><th>unrated</th></tr></thead>
        <tbody>
        {{#accounts}}
        <tr><td><a href="/accounts/{{id}}?month={{month}}">{{name}}</a><br><span class="muted sub">{{month}}{{#portfolio}} · {{portfolio}}{{/portfolio}}</span></td>
        <td class="num">{{delivered}}</td><td class="num">{{charged}}</td><td class="num">{{free}}</td>
        <td class="num">{{received}}</td><td class="num">{{spend}} {{currency}}</td>
        <td class="num">{{previous}} {{currency}}{{#change}}<br><span class="muted sub">({{change}})</span>{{/change}}</td>
        <td class="num">{{forecast}} {{currency}}<br><span class="muted sub">({{forecastRange}})</span></td>
        <td>{{#unrated}}<span class="warn">{{unrated}} unrated</span>{{/unrated}}</td></tr>
        {{/accounts}}
        </tbody></table></div>
        {{/hasAccounts}}
        {{#alerts}}{{#first()}}<h2>Alerts</h2>
        <div class="table-wrap"><table><thead><tr><th>alert</th><th>sent</th></tr></thead><tbody>{{/first()}}
        <tr><td class="text"><strong>{{kind}}</strong> · {{scope}}<br>{{message}}<br><span class="muted">{{raised}} UTC</span></td><td>{{#warn}}<span class="warn">{{state}}</span>{{/warn}}{{^warn}}{{state}}{{/warn}}</td></tr>
        {{#last()}}</tbody></table></div><p class="muted">Every alert, with its deliveries: <a href="/api/v1/alerts">/api/v1/alerts</a>. Budgets: <code>wameter budgets list</code>.</p>{{/last()}}{{/alerts}}
        <p class="muted">Spend is wameter's estimate from the rate cards in force (<code>wameter rates list</code>); units without a rate are counted as unrated, never priced at zero.</p>
        {{> foot}}
        """

    static let account = """
        {{> head}}
        <p><a href="/">← every account</a>{{#day}} · <a href="/accounts/{{id}}?month={{month}}">← {{month}}</a>{{/day}}</p>
        <h1>{{name}} <span class="muted">· {{period}} · {{timezone}}</span></h1>
        <form method="get" action="/accounts/{{id}}"><label>Month <input type="month" name="month" value="{{month}}"></label> <button type="submit">Show</button></form>
        <form method="get" action="/accounts/{{id}}"><label>Day, by half-hour <input type="date" name="day"{{#day}} value="{{date}}"{{/day}}></label> <button type="submit">Show</button></form>
        {{#day}}<p class="muted">Half-hours in {{timezone}} time. Free tiers, volume tiers and rate cards below are the month's.</p>{{/day}}
        {{#unrated}}<p class="notice"><span class="warn">{{unrated}} charged unit(s) have no rate</span> and are not in the spend: {{unratedNames}}. <code>wameter rates coverage --from {{month}}</code> names the card to import.</p>{{/unrated}}
        <div class="cards" style="margin-top: 1rem">
        <div class="card"><div class="label">Spend</div><div class="value">{{spend}} {{currency}}</div></div>
        <div class="card"><div class="label">Delivered</div><div class="value">{{delivered}}</div></div>
        <div class="card"><div class="label">Charged</div><div class="value">{{charged}}</div></div>
        <div class="card"><div class="label">Free</div><div class="value">{{free}}</div></div>
        <div class="card"><div class="label">Received</div><div class="value">{{received}}</div></div>
        <div class="card"><div class="label">Sent · read · failed</div><div class="value">{{sent}} · {{read}} · {{failed}}</div></div>
        {{#forecast}}<div class="card"><div class="label">Month end (forecast)</div><div class="value">{{spend}} {{currency}}</div><div class="muted">{{low}}–{{high}} · {{charged}} charged · day {{elapsed}} of {{days}}</div></div>{{/forecast}}
        {{#reconciliation}}<div class="card"><div class="label">Meta's analytics</div><div class="value">{{#agrees}}agree{{/agrees}}{{^agrees}}<span class="warn">{{differences}} differ</span>{{/agrees}}</div><div class="muted">{{causes}}checked {{checked}} UTC · <a href="{{link}}">report</a></div></div>{{/reconciliation}}
        </div>
        <h2>Charged messages by {{unit}} and category</h2>
        <div class="legend">{{#categories}}<span><i style="background: {{color}}"></i>{{name}}</span>{{/categories}}</div>
        {{{chargedChart}}}
        <h2>Spend by {{unit}} ({{currency}})</h2>
        {{{costChart}}}
        <details><summary>The numbers of both charts</summary>
        <div class="table-wrap"><table><thead><tr><th>{{unit}}</th><th class="num">delivered</th><th class="num">charged</th><th class="num">spend</th></tr></thead><tbody>
        {{#days}}<tr><td>{{#link}}<a href="{{link}}">{{label}}</a>{{/link}}{{^link}}{{label}}{{/link}}</td><td class="num">{{delivered}}</td><td class="num">{{charged}}</td><td class="num">{{spend}}</td></tr>{{/days}}
        </tbody></table></div>
        <p><a href="{{dailyCSV}}">Download as CSV</a></p>
        </details>
        {{#tables}}
        <h2>{{title}}</h2>
        <div class="table-wrap"><table><thead><tr><th>{{heading}}</th><th class="num">sent</th><th class="num">delivered</th><th class="num">charged</th><th class="num">free</th><th class="num">received</th><th class="num">spend</th><th>unrated</th></tr></thead><tbody>
        {{#rows}}<tr><td>{{label}}</td><td class="num">{{sent}}</td><td class="num">{{delivered}}</td><td class="num">{{charged}}</td><td class="num">{{free}}</td><td class="num">{{received}}</td><td class="num">{{spend}}</td><td>{{#unrated}}<span class="warn">{{unrated}}</span>{{/unrated}}</td></tr>{{/rows}}
        </tbody></table></div>
        <p><a href="{{csv}}">Download as CSV</a></p>
        {{/tables}}
        {{#freeTiers}}{{#first()}}<h2>Free tier used</h2>{{/first()}}
        <p>{{label}}: {{used}} of {{size}} <progress max="100" value="{{percent}}">{{percent}}%</progress></p>
        {{/freeTiers}}
        {{#tiers}}{{#first()}}<h2>Volume tiers</h2>
        <p class="muted">Utility and authentication messages are priced by the portfolio's count in each market this month. Meta announces the tier reached in <code>account_update</code> webhooks.</p>
        <div class="table-wrap"><table><thead><tr><th>market</th><th>category</th><th class="num">this account</th><th class="num">portfolio</th><th>tier (wameter)</th><th>tier (Meta)</th></tr></thead><tbody>{{/first()}}
        <tr><td>{{market}}</td><td>{{category}}</td><td class="num">{{charged}}</td><td class="num">{{portfolio}}</td><td>{{tier}}</td><td>{{metaTier}}{{#differs}} <span class="warn">differs</span>{{/differs}}</td></tr>
        {{#last()}}</tbody></table></div>{{/last()}}{{/tiers}}
        {{#calls}}
        <h2>Voice calls</h2>
        <p>Placed {{placed}}, answered {{answered}}, charged {{charged}} (business-initiated and picked up): {{minutes}} billed minutes, {{spend}} {{currency}}, included in the spend above.</p>
        <div class="table-wrap"><table><thead><tr><th>market</th><th class="num">placed</th><th class="num">charged</th><th class="num">billed minutes</th><th class="num">spend</th><th>unrated</th></tr></thead><tbody>
        {{#rows}}<tr><td>{{market}}</td><td class="num">{{placed}}</td><td class="num">{{charged}}</td><td class="num">{{minutes}}</td><td class="num">{{spend}}</td><td>{{#unrated}}<span class="warn">{{unrated}}</span>{{/unrated}}</td></tr>{{/rows}}
        </tbody></table></div>
        {{/calls}}
        {{#hasRateCards}}<h2>Rate cards in force</h2><ul>{{#rateCards}}<li>{{.}}</li>{{/rateCards}}</ul>{{/hasRateCards}}
        {{> foot}}
        """
}
