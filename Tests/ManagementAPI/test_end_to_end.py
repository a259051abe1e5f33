"""SigV4 failures, the audit log, the aws CLI, and the end-to-end flow: import with boto3, deploy, call the
data plane, throttle with update_stage and see 429, meter a key with a plan and read it back with get_usage."""
import datetime
import hashlib
import hmac
import json
import os
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from botocore.exceptions import ClientError

OPENAPI = """
openapi: 3.0.1
info: {title: Flow, version: "1"}
paths:
  /pets:
    get:
      responses: {"200": {description: ok}}
      x-amazon-apigateway-integration: {type: http_proxy, httpMethod: GET, uri: "http://${stageVariables.backend}/pets"}
  /metered:
    get:
      security: [{api_key: []}]
      responses: {"200": {description: ok}}
      x-amazon-apigateway-integration:
        type: mock
        requestTemplates: {application/json: '{"statusCode": 200}'}
        responses: {default: {statusCode: "200", responseTemplates: {application/json: '{"metered": true}'}}}
components:
  securitySchemes:
    api_key: {type: apiKey, name: x-api-key, in: header}
"""


def status(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


def wait_until(what, condition, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def signed(method, url, key, secret, when, body=b"", region="us-east-1"):
    """A request signed by hand (botocore always signs with the current time)."""
    host = url.split("/")[2]
    path = "/" + url.split("/", 3)[3]
    stamp, day = when.strftime("%Y%m%dT%H%M%SZ"), when.strftime("%Y%m%d")
    payload = hashlib.sha256(body).hexdigest()
    canonical = "\n".join([method, path, "", f"host:{host}\nx-amz-date:{stamp}\n", "host;x-amz-date", payload])
    scope = f"{day}/{region}/apigateway/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", stamp, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    signing = ("AWS4" + secret).encode()
    for part in (day, region, "apigateway", "aws4_request"):
        signing = hmac.new(signing, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(signing, to_sign.encode(), hashlib.sha256).hexdigest()
    headers = {"X-Amz-Date": stamp, "Authorization": f"AWS4-HMAC-SHA256 Credential={key}/{scope}, SignedHeaders=host;x-amz-date, Signature={signature}"}
    request = urllib.request.Request(url, data=body or None, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_signature_failures_are_403_in_aws_shape(worker):
    url = worker.endpoint + "/restapis"
    now = datetime.datetime.now(datetime.timezone.utc)
    code, headers, _ = signed("GET", url, worker.key, worker.secret, now)
    assert code == 200, "a hand-made signature is accepted"
    code, headers, body = signed("GET", url, worker.key, "not-the-secret", now)
    assert code == 403 and headers["x-amzn-ErrorType"] == "InvalidSignatureException" and "message" in json.loads(body)
    code, headers, _ = signed("GET", url, worker.key, worker.secret, now - datetime.timedelta(minutes=6))
    assert code == 403 and headers["x-amzn-ErrorType"] == "InvalidSignatureException"
    code, headers, body = signed("GET", url, "AKIANOSUCHKEY0000000", worker.secret, now)
    assert code == 403 and headers["x-amzn-ErrorType"] == "UnrecognizedClientException"
    try:
        urllib.request.urlopen(url, timeout=10)
        raise AssertionError("an unsigned call was answered")
    except urllib.error.HTTPError as error:
        assert error.code == 403 and error.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
    with pytest.raises(ClientError) as excinfo:
        worker.client(secret="wrong").get_rest_apis()
    assert excinfo.value.response["Error"]["Code"] == "InvalidSignatureException"
    # A credential allowed only keys may not touch APIs.
    key, secret = worker.credential("keys-only", "arn:aws:apigateway:*::/apikeys*")
    limited = worker.client(key, secret)
    limited.get_api_keys()
    with pytest.raises(ClientError) as excinfo:
        limited.get_rest_apis()
    assert excinfo.value.response["Error"]["Code"] == "AccessDeniedException"


def test_end_to_end_with_boto3_and_the_aws_cli(worker, client):
    imported = client.import_rest_api(body=OPENAPI.encode(), failOnWarnings=False)
    api_id = imported["id"]
    assert imported["name"] == "Flow"
    client.create_deployment(restApiId=api_id, stageName="prod", variables={"backend": f"127.0.0.1:{worker.backend_port}"})
    pets = worker.url(api_id, "prod", "/pets")
    wait_until("the deployed stage answers", lambda: status(pets) == 200)

    # A stage throttle set with update_stage is enforced at the new rate within a second.
    client.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "1"},
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "1"}])
    wait_until("429 at the new rate", lambda: [status(pets) for _ in range(3)].count(429) >= 1, timeout=5)
    client.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        {"op": "remove", "path": "/*/*/throttling/rateLimit"}, {"op": "remove", "path": "/*/*/throttling/burstLimit"}])

    # A key and a plan: the key's calls show in get_usage.
    metered = worker.url(api_id, "prod", "/metered")
    key = client.create_api_key(name="flow-key", enabled=True, value="flow-key-value-0123456789")
    plan = client.create_usage_plan(name="flow-plan", apiStages=[{"apiId": api_id, "stage": "prod"}], quota={"limit": 100, "period": "DAY"})
    client.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    wait_until("the key admitted", lambda: status(metered, {"x-api-key": "flow-key-value-0123456789"}) == 200)
    assert status(metered) == 403
    for _ in range(3):
        assert status(metered, {"x-api-key": "flow-key-value-0123456789"}) == 200
    today = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")

    def used():
        items = client.get_usage(usagePlanId=plan["id"], startDate=today, endDate=today)["items"]
        return items.get(key["id"], [[0, 0]])[0][0]
    wait_until("get_usage counts the calls", lambda: used() >= 4)
    usage = client.get_usage(usagePlanId=plan["id"], startDate=today, endDate=today)
    assert usage["items"][key["id"]][0][1] == 100 - usage["items"][key["id"]][0][0]
    # UpdateUsage: the key has 2 calls left; the worker enforces it within a second, then 429 Limit Exceeded.
    updated = client.update_usage(usagePlanId=plan["id"], keyId=key["id"], patchOperations=[{"op": "replace", "path": "/remaining", "value": "2"}])
    assert updated["items"][key["id"]][0][1] == 2
    wait_until("the quota spent", lambda: status(metered, {"x-api-key": "flow-key-value-0123456789"}) == 429)

    # Every change is in the audit log under the credential's name.
    with sqlite3.connect(worker.store) as db:
        actions = {row[0] for row in db.execute("SELECT action FROM audit_log WHERE operator = 'ops' AND source = 'admin-api'")}
    assert {"ImportRestApi", "CreateDeployment", "UpdateStage", "CreateApiKey", "CreateUsagePlan"} <= actions

    # The aws CLI reads the same API.
    env = dict(os.environ, AWS_ACCESS_KEY_ID=worker.key, AWS_SECRET_ACCESS_KEY=worker.secret, AWS_DEFAULT_REGION="us-east-1")
    listed = subprocess.run([sys.executable, "-m", "awscli", "apigateway", "get-rest-api", "--rest-api-id", api_id, "--endpoint-url", worker.endpoint],
                            capture_output=True, text=True, env=env, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)["name"] == "Flow"
    exported = client.get_export(restApiId=api_id, stageName="prod", exportType="oas30", accepts="application/yaml",
                                 parameters={"extensions": "integrations"})
    text = exported["body"].read()
    assert exported["contentType"] == "application/yaml" and b"x-amazon-apigateway-integration" in text
    assert b"x-amazon-apigateway-api-key-source" not in text
    plain = json.loads(client.get_export(restApiId=api_id, stageName="prod", exportType="swagger")["body"].read())
    assert plain["swagger"] == "2.0" and "x-amazon-apigateway" not in json.dumps(plain)
    full = client.get_export(restApiId=api_id, stageName="prod", exportType="oas30", parameters={"extensions": "apigateway"})["body"].read()
    assert b"x-amazon-apigateway-api-key-source" in full
