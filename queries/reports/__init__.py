"""Reports to hand over: the answers to impact, scenario comparison, bottlenecks and health
rendered as Markdown (title, date, model, what was asked, legend, findings) and as one flat
CSV table each, so the CLI and REST serve the same bytes for the same question.

- `text`: Markdown escaping and tables, CSV with spreadsheet formulas neutralised (a leaf).
- `document`: the report's frame (formats, file names, the header every report opens with).
- `model`: what the header says about the model (sources, counts), read from the store.
- `impact`, `bottlenecks`, `health`, `comparison`, `roadmap`, `investment`: each answer's
  Markdown and CSV (pure).
- `questions`: each question asked and rendered, the one call every surface makes.

The package imports none of its modules here, so a question module may use `text` without
an import cycle.
"""
