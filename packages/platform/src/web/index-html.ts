/** The web page's only HTML document: a header (Swagger UI link, token field) and the view the script fills. */
export const INDEX_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Gangplank</title>
    <link rel="stylesheet" href="/ui/style.css" />
    <script type="module" src="/ui/app.js"></script>
  </head>
  <body>
    <header>
      <a class="brand" href="#/">Gangplank</a>
      <nav><a href="#/">Trainings</a> <a href="/swagger" target="_blank" rel="noopener">API (Swagger UI)</a></nav>
      <span id="metrics-source" class="muted"></span>
      <form id="token-form" autocomplete="off">
        <input id="token" type="password" placeholder="bearer token (optional)" aria-label="bearer token" />
        <button type="submit">Save</button>
      </form>
    </header>
    <div id="notice" role="status"></div>
    <main id="view"><p class="muted">Loading…</p></main>
  </body>
</html>
`;
