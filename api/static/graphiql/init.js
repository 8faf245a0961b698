// Boots GraphiQL from the bundles served under /graphiql/vendor/ (copied from
// npm by `npm ci`, see build-vendor.mjs). A separate file rather than an inline
// script so the page's Content-Security-Policy can forbid inline scripts.
(function () {
  'use strict';

  // The page is served by the GraphQL endpoint itself (GET /graphql with
  // Accept: text/html), so the endpoint is this page's own path.
  var endpoint = window.location.pathname;

  // The dashboard keeps its key in this tab's sessionStorage; a GraphiQL tab it opened shares
  // the origin and a copy of that storage, so the query runs with the same key. The key is
  // sent, never shown or stored by GraphiQL (shouldPersistHeaders: false).
  var headers = {};
  try {
    var key = window.sessionStorage.getItem('partnernet.key');
    if (key) headers.Authorization = 'Bearer ' + key;
  } catch (e) {
    // storage unavailable (privacy mode): no key
  }

  // A first query that shows what the API is for: who holds the network together, and where
  // engagement is thinnest. Suppressed figures come back null with `suppressed: true`.
  var intro = [
    '# Welcome to the partnernet GraphQL API.',
    '#',
    '# Press Ctrl-Enter (or the run button) to run this example; the Docs button on the',
    '# left browses the schema.',
  ].concat(
    headers.Authorization
      ? ['# Queries run with the API key given to the dashboard in this browser tab.']
      : [
          '# Without a key you see what a viewer sees: restricted actors left out, small',
          '# counts suppressed. To use a key, add in Headers below:',
          '#   {"Authorization": "Bearer YOUR-KEY"}',
        ]
  );
  var defaultQuery = intro
    .concat([
      '',
      '{',
      '  # Brokers: partners whose partners are not partners of each other.',
      '  brokers(top: 5) {',
      '    asOf',
      '    entries {',
      '      rank',
      '      node { name kind }',
      '      effectiveSize',
      '      constraint',
      '    }',
      '  }',
      '  # The most under-engaged (region, thematic area) cells, largest gap first.',
      '  underEngagedCells(groupBy: [REGION, THEME], first: 5) {',
      '    totalCount',
      '    edges {',
      '      node {',
      '        rank',
      '        header { label }',
      '        cell { suppressed partners programmes engagementIndex need gapScore }',
      '      }',
      '    }',
      '  }',
      '}',
      '',
    ])
    .join('\n');

  // A link may carry a query to open (the dashboard's "Open in GraphiQL"): shown, not run.
  var params = new URLSearchParams(window.location.search);
  var linkedQuery = params.get('query');
  var linkedVariables = params.get('variables');

  var props = {
    fetcher: GraphiQL.createFetcher({ url: endpoint, headers: headers }),
    defaultQuery: defaultQuery,
    shouldPersistHeaders: false,
  };
  if (linkedQuery !== null) {
    props.query = linkedQuery;
    props.variables = linkedVariables || '';
    // Start from this query alone rather than the tabs of an earlier visit.
    props.defaultTabs = [{ query: linkedQuery, variables: linkedVariables || '' }];
  }

  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, props));
})();
