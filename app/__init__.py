"""The service and the command line: three thin surfaces (`rest`, `graphql`, `cli`) over one
shared layer (`core`: the failure table and the question limits), wired by `main`.
Settings (`settings`), request dependencies (`deps`), authentication (`auth`) and the body
limit and audit helpers (`middleware`) serve REST and GraphQL alike."""
