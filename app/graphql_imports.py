"""GraphQL fields for the imports: mixed into the Query and Mutation types in app.graphql."""

from __future__ import annotations

import strawberry


@strawberry.type
class ImportsQuery:
    pass


@strawberry.type
class ImportsMutation:
    pass
