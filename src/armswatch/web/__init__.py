"""The analyst workbench: a web application over the workspace facade (FastAPI, Jinja2, Leaflet).

Build it with :func:`armswatch.web.app.create_app`; serve it with ``armswatch serve``. Importing this
package imports no web framework (``web.schema`` and ``web.query`` are plain library code).
"""
