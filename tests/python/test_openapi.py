"""Validates /api/openapi.json with openapi-spec-validator (OpenAPI 3.x rules).

Usage: TASKTALK_BIN=path/to/tasktalk python tests/python/test_openapi.py   (needs `pip install openapi-spec-validator`)
"""

import json
import sys
import tempfile
import urllib.request

from openapi_spec_validator import validate

from test_mcp import start_server


def main():
    with tempfile.TemporaryDirectory() as folder:
        server, base = start_server(folder)
        try:
            with urllib.request.urlopen(f"{base}/api/openapi.json") as response:
                document = json.load(response)
            validate(document)
            print(f"OpenAPI {document['openapi']}: valid, {len(document['paths'])} paths")
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
