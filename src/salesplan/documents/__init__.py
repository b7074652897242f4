"""The written plan: a language-neutral section tree (model.py) built from the services'
results, rendered as HTML (html.py, templates/), PDF (pdf.py), Markdown (markdown.py) and
Excel (xlsx.py), with Altair charts (charts.py). services/report.py is the entry point."""
