"""The search-cluster store: OpenSearch 2.x and Elasticsearch 8/9 behind the store protocols.

- `client`: the one adapter over the product's client, choosing opensearch-py or
  `elasticsearch` (`elastic`: every place where the two clients differ);
- `templates`: the versioned index templates under config/search/ and the index and alias
  names they define;
- `documents`: a Mention as the document those templates map;
- `store`: `SearchStore`, one mixin per protocol (`search_crawl`, `search_nlp`,
  `search_alerts`, `search_read`, `search_health`, `search_privacy`, `search_leases`) and
  `search_import`, the writes `veille store migrate` copies with;
- `backend`: the `search` store backend registered by entry point.
"""
