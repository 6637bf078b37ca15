"""Pages the tests' local web server (tests/localserver.py) serves as sources and articles."""

PAGE = ("<html><head><title>Jobless figures</title></head><body><article>"
        + "<p>The statistics office said unemployment rose slightly last year.</p>" * 10
        + "</article></body></html>")

ARTICLE_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Jobless figures | Example Times</title>
<meta property="og:title" content="Unemployment did not fall by 12%">
<meta property="og:site_name" content="Example Times">
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "Unemployment did not fall by 12%", "datePublished": "2024-03-05T09:00:00Z",
 "author": [{"@type": "Person", "name": "Jane Doe"}],
 "publisher": {"@type": "Organization", "name": "Example Times"}}
</script></head>
<body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<article><h1>Unemployment did not fall by 12%</h1>
<p class="byline">By Jane Doe</p>
""" + "\n".join(
    f"<p>Paragraph {i}: the national statistics office said unemployment rose slightly "
    f"last year, contradicting the minister's claim that it fell by twelve per cent.</p>"
    for i in range(12)
) + """
</article><footer>Copyright Example Times <script>alert('x')</script></footer></body></html>"""
