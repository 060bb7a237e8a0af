"""What REST, GraphQL and the CLI share: how a failure is answered on each surface
(`errors`), how many expensive questions run at once and for how long (`limits`), and
giving their memory back once they are done (`memory`).

The surfaces stay thin: they parse their own arguments, call `queries/` and `graph/`, and
leave turning an exception into an HTTP status, a GraphQL error code or an exit code to the
one table in `app.core.errors`.
"""
