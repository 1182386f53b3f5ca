"""Media: uploads made safe (images), their files (files), the proxy that shows other
servers' media from this origin (proxy), custom emoji in HTML (emoji), and what a page
loads for them (views)."""
