"""GraphQL at /graphql.

- `context`: the per-request Context and the typed `Info` resolvers take.
- `elements`: the element types generated from the graph schema; `element_resolvers`:
  read, list, search, create, change and delete elements.
- `answers`: the answers of the questions, derived from the pydantic answer models in
  `queries/`; `inputs`: the question and scenario inputs; `questions`: their resolvers.
- `imports`: importing and exporting models, and the recorded import runs.
- `history`: the change history (an element's versions, the change sets).
- `trends`: a stream's measures and investment over time, the roadmap, scenario dates.
- `errors`, `guard`: error codes; the editor role plus audit log for mutations, and
  introspection only where allowed.
- `schema`: Query and Mutation joined from the resolver modules, the schema, the router.
"""

from app.graphql.context import Context
from app.graphql.elements import ELEMENT_TYPES, to_element
from app.graphql.schema import export_sdl, graphql_router, schema

__all__ = ["ELEMENT_TYPES", "Context", "export_sdl", "graphql_router", "schema", "to_element"]
