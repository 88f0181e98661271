"""Building blocks of the search-cluster store (issue 15, in progress; no backend yet).

- `client`: the one adapter over the search product's client (OpenSearch now), and the
  one place that says where OpenSearch and Elasticsearch differ;
- `templates`: the versioned index templates under config/search/ and the index and alias
  names they define;
- `documents`: a Mention as the document those templates map.
"""
