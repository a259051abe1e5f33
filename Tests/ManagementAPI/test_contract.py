"""GatewayResponse, Model, RequestValidator, Authorizer and Tags: round trips, patch operations, errors — and a
gateway response put through the API changes what the worker answers."""
import time
import urllib.error
import urllib.request

import pytest


def test_gateway_responses_models_validators(client, worker):
    api_id = client.create_rest_api(name="contract")["id"]
    root = client.get_resources(restApiId=api_id)["items"][0]["id"]
    client.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE", apiKeyRequired=True)
    client.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK", requestTemplates={"application/json": '{"statusCode": 200}'})

    put = client.put_gateway_response(restApiId=api_id, responseType="INVALID_API_KEY", statusCode="401",
                                      responseParameters={"gatewayresponse.header.X-Why": "'no key'"},
                                      responseTemplates={"application/json": '{"error": "$context.error.responseType"}'})
    assert put["statusCode"] == "401" and put["defaultResponse"] is False
    assert client.get_gateway_response(restApiId=api_id, responseType="THROTTLED")["defaultResponse"] is True
    listed = client.get_gateway_responses(restApiId=api_id, limit=500)["items"]
    assert {"INVALID_API_KEY", "DEFAULT_4XX", "THROTTLED"} <= {item["responseType"] for item in listed}
    updated = client.update_gateway_response(restApiId=api_id, responseType="INVALID_API_KEY",
                                             patchOperations=[{"op": "replace", "path": "/statusCode", "value": "403"}])
    assert updated["statusCode"] == "403"
    with pytest.raises(client.exceptions.BadRequestException):
        client.put_gateway_response(restApiId=api_id, responseType="NOT_A_TYPE")
    client.create_deployment(restApiId=api_id, stageName="prod")
    deadline = time.time() + 5
    while True:
        try:
            urllib.request.urlopen(worker.url(api_id, "prod", "/"), timeout=5)
            raise AssertionError("a call without a key was answered")
        except urllib.error.HTTPError as error:
            if error.code == 403 and error.headers["X-Why"] == "no key":
                assert error.read() == b'{"error": "INVALID_API_KEY"}'
                break
            assert time.time() < deadline, f"still {error.code}"
            time.sleep(0.1)
    client.delete_gateway_response(restApiId=api_id, responseType="INVALID_API_KEY")
    assert client.get_gateway_response(restApiId=api_id, responseType="INVALID_API_KEY")["defaultResponse"] is True

    model = client.create_model(restApiId=api_id, name="Pet", contentType="application/json",
                                schema='{"type": "object", "required": ["name"]}')
    assert model["name"] == "Pet" and "required" in model["schema"]
    with pytest.raises(client.exceptions.ConflictException):
        client.create_model(restApiId=api_id, name="Pet", contentType="application/json", schema="{}")
    with pytest.raises(client.exceptions.BadRequestException):
        client.create_model(restApiId=api_id, name="Broken", contentType="application/json", schema="not json")
    model = client.update_model(restApiId=api_id, modelName="Pet", patchOperations=[{"op": "replace", "path": "/schema", "value": '{"type": "object"}'}])
    assert model["schema"] == '{"type": "object"}'
    assert [m["name"] for m in client.get_models(restApiId=api_id)["items"]] == ["Pet"]

    validator = client.create_request_validator(restApiId=api_id, name="body-only", validateRequestBody=True)
    assert validator["validateRequestBody"] is True and validator["validateRequestParameters"] is False
    validator = client.update_request_validator(restApiId=api_id, requestValidatorId=validator["id"],
                                                patchOperations=[{"op": "replace", "path": "/validateRequestParameters", "value": "true"}])
    assert validator["validateRequestParameters"] is True
    assert client.get_request_validators(restApiId=api_id)["items"][0]["name"] == "body-only"
    client.delete_request_validator(restApiId=api_id, requestValidatorId=validator["id"])
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_request_validator(restApiId=api_id, requestValidatorId=validator["id"])
    client.delete_model(restApiId=api_id, modelName="Pet")
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_model(restApiId=api_id, modelName="Pet")
    client.delete_rest_api(restApiId=api_id)


def test_authorizers_and_tags(client):
    api_id = client.create_rest_api(name="guarded", tags={"team": "a"})["id"]
    authorizer = client.create_authorizer(restApiId=api_id, name="tokens", type="TOKEN", identitySource="method.request.header.Authorization",
                                          authorizerUri="http://127.0.0.1:9/authorize", authorizerResultTtlInSeconds=60)
    assert authorizer["type"] == "TOKEN" and authorizer["authorizerResultTtlInSeconds"] == 60
    updated = client.update_authorizer(restApiId=api_id, authorizerId=authorizer["id"],
                                       patchOperations=[{"op": "replace", "path": "/authorizerResultTtlInSeconds", "value": "120"}])
    assert updated["authorizerResultTtlInSeconds"] == 120
    assert [a["id"] for a in client.get_authorizers(restApiId=api_id)["items"]] == [authorizer["id"]]
    client.delete_authorizer(restApiId=api_id, authorizerId=authorizer["id"])
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_authorizer(restApiId=api_id, authorizerId=authorizer["id"])

    arn = f"arn:aws:apigateway:us-east-1::/restapis/{api_id}"
    client.tag_resource(resourceArn=arn, tags={"env": "prod", "owner": "ops"})
    assert client.get_tags(resourceArn=arn)["tags"] == {"team": "a", "env": "prod", "owner": "ops"}
    client.untag_resource(resourceArn=arn, tagKeys=["team", "owner"])
    assert client.get_tags(resourceArn=arn)["tags"] == {"env": "prod"}
    assert client.get_rest_api(restApiId=api_id)["tags"] == {"env": "prod"}
    with pytest.raises(client.exceptions.BadRequestException):
        client.get_tags(resourceArn="arn:aws:apigateway:us-east-1::/apikeys/x")
    client.delete_rest_api(restApiId=api_id)
