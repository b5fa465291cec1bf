"""WSGI entry point for production servers: `gunicorn -w 2 wsgi:app`."""

from lms import create_app

app = create_app()
