// Boots GraphiQL from the bundles served under /graphiql/vendor/ (copied from
// npm by `npm ci`, see build-vendor.mjs). A separate file rather than an inline
// script so the page's Content-Security-Policy can forbid inline scripts.
(function () {
  'use strict';

  // The page is served by the GraphQL endpoint itself (GET /graphql with
  // Accept: text/html), so the endpoint is this page's own path.
  var endpoint = window.location.pathname;

  var defaultQuery = [
    '# Welcome to the partnernet GraphQL API.',
    '#',
    '# Type a query here; press Ctrl-Enter (or the run button) to execute it.',
    '# The Docs button on the left browses the schema.',
    '',
    '{',
    '  __typename',
    '}',
    '',
  ].join('\n');

  var fetcher = GraphiQL.createFetcher({ url: endpoint });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      shouldPersistHeaders: false,
    })
  );
})();
