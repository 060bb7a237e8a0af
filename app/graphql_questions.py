"""GraphQL fields for the questions: mixed into the Query and Mutation types in app.graphql."""

from __future__ import annotations

import strawberry


@strawberry.type
class QuestionsQuery:
    pass


@strawberry.type
class QuestionsMutation:
    pass
