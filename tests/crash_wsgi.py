"""Test only: the application, in a worker that dies (SIGKILL) after the application has
returned a request's answer and before the server sends it, when the request carries
``X-Test-Die-After-Answer``: the write has committed, the client hears nothing."""

import os
import signal

from cms.wsgi import application as cms_application


def application(environ, start_response):
    answer = cms_application(environ, start_response)
    if "HTTP_X_TEST_DIE_AFTER_ANSWER" in environ:
        os.kill(os.getpid(), signal.SIGKILL)
    return answer
