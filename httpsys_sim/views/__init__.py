"""Views: the only code that formats.  Text, Markdown, HTML, SVG, Mermaid and DOT renderings of
the values the model and the analyses return; nothing below this layer imports it."""
