"""TestInvokeMethod runs a call through a method of the draft (no deployment, no key, no authorizer) against the
real backend; TestInvokeAuthorizer asks a real authorizer endpoint and reports its verdict."""
import http.server
import json
import threading


class Authorizer(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        event = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        token = event.get("authorizationToken", "")
        effect = "Allow" if token == "allow" else "Deny"
        answer = {"principalId": "user-" + token, "context": {"team": "ops"},
                  "policyDocument": {"Version": "2012-10-17", "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": event["methodArn"]}]}}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def test_invoke_method_and_authorizer(client, worker):
    api_id = client.create_rest_api(name="invoked")["id"]
    root = client.get_resources(restApiId=api_id)["items"][0]["id"]
    pets = client.create_resource(restApiId=api_id, parentId=root, pathPart="pets")
    pet = client.create_resource(restApiId=api_id, parentId=pets["id"], pathPart="{id}")
    client.put_method(restApiId=api_id, resourceId=pet["id"], httpMethod="GET", authorizationType="NONE", apiKeyRequired=True)
    client.put_integration(restApiId=api_id, resourceId=pet["id"], httpMethod="GET", type="HTTP", integrationHttpMethod="GET",
                           uri="http://${stageVariables.backend}/pets/{id}", requestParameters={"integration.request.path.id": "method.request.path.id"})
    client.put_integration_response(restApiId=api_id, resourceId=pet["id"], httpMethod="GET", statusCode="200",
                                    responseTemplates={"application/json": '{"kind": "$input.path(\'$.type\')", "q": "$input.params(\'q\')"}'})
    # Not deployed, and the method wants a key: the test invocation runs it anyway, as AWS's does.
    answer = client.test_invoke_method(restApiId=api_id, resourceId=pet["id"], httpMethod="GET", pathWithQueryString="/pets/7?q=x",
                                       stageVariables={"backend": f"127.0.0.1:{worker.backend_port}"}, headers={"Accept": "application/json"})
    assert answer["status"] == 200, answer
    assert json.loads(answer["body"]) == {"kind": "dog", "q": "x"}
    assert "Endpoint request URI: GET http://127.0.0.1:" in answer["log"] and answer["latency"] >= 0
    missing = client.test_invoke_method(restApiId=api_id, resourceId=pet["id"], httpMethod="GET", pathWithQueryString="/pets/7",
                                        stageVariables={"backend": "127.0.0.1:9"})
    assert missing["status"] == 502 and "INTEGRATION_FAILURE" in missing["log"]

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Authorizer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        authorizer = client.create_authorizer(restApiId=api_id, name="tokens", type="TOKEN", identitySource="method.request.header.Authorization",
                                              authorizerUri=f"http://127.0.0.1:{server.server_address[1]}/", authorizerResultTtlInSeconds=0)
        allowed = client.test_invoke_authorizer(restApiId=api_id, authorizerId=authorizer["id"], headers={"Authorization": "allow"})
        assert allowed["clientStatus"] == 200 and allowed["principalId"] == "user-allow", allowed
        assert allowed["claims"] == {"team": "ops"}
        denied = client.test_invoke_authorizer(restApiId=api_id, authorizerId=authorizer["id"], headers={"Authorization": "deny"})
        assert denied["clientStatus"] == 403, denied
        unauthorized = client.test_invoke_authorizer(restApiId=api_id, authorizerId=authorizer["id"], headers={})
        assert unauthorized["clientStatus"] == 401, unauthorized
    finally:
        server.shutdown()
    client.delete_rest_api(restApiId=api_id)
