"""Validates the staff API's served OpenAPI document with an independent implementation.

    python scripts/openapi-check.py http://127.0.0.1:PORT

openapi-spec-validator (PyPI) checks the document against the OpenAPI 3.0 schema and resolves every $ref; PyYAML
reads the YAML the server serves and it must be the same document as the JSON the docs page reads. Then the docs
page: served under the console's Content-Security-Policy, loading only its own script and stylesheet.
"""

import json
import sys
import urllib.request

import yaml
from openapi_spec_validator import validate


def get(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, dict(response.headers), response.read()


def main(base):
    status, headers, body = get(base + "/api/v1/openapi.yaml")
    assert status == 200 and headers["Content-Type"].startswith("application/yaml"), (status, headers)
    from_yaml = yaml.safe_load(body)
    status, headers, body = get(base + "/api/v1/openapi.json")
    assert status == 200 and headers["Content-Type"].startswith("application/json"), (status, headers)
    from_json = json.loads(body)
    assert from_yaml == from_json, "the YAML and the JSON documents differ"
    validate(from_json)
    operations = [(path, method, op) for path, item in from_json["paths"].items() for method, op in item.items()]
    for path, method, op in operations:
        assert op.get("summary"), f"{method} {path} has no summary"
        assert "x-roles" in op, f"{method} {path} has no x-roles"
        if op["x-roles"]:
            assert "401" in op["responses"], f"{method} {path} needs credentials but lists no 401"
    status, headers, page = get(base + "/api/v1/docs")
    policy = headers.get("Content-Security-Policy", "")
    assert status == 200 and "script-src 'self'" in policy and "default-src 'none'" in policy, headers
    assert b'<script src="/api/v1/docs.js"' in page and b"https://" not in page
    for asset in ("/api/v1/docs.js", "/api/v1/docs.css"):
        assert get(base + asset)[0] == 200, asset
    print(f"openapi-check: valid OpenAPI {from_json['openapi']}, {len(operations)} operations, "
          f"{len(from_json['components']['schemas'])} schemas; YAML == JSON; docs page served")


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"))
