"""Each operation's create / get / update / delete round trip with the member names botocore expects, paging,
patch operations and error types."""
import pytest
from botocore.exceptions import ClientError


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def test_rest_api_round_trip_and_paging(client):
    created = client.create_rest_api(name="orders", description="first", binaryMediaTypes=["image/png"],
                                     endpointConfiguration={"types": ["REGIONAL"]}, tags={"team": "platform"})
    api_id = created["id"]
    assert created["name"] == "orders" and created["description"] == "first"
    assert created["binaryMediaTypes"] == ["image/png"] and created["apiKeySource"] == "HEADER"
    assert created["endpointConfiguration"] == {"types": ["REGIONAL"]} and created["tags"] == {"team": "platform"}
    fetched = client.get_rest_api(restApiId=api_id)
    assert fetched["createdDate"] == created["createdDate"]
    updated = client.update_rest_api(restApiId=api_id, patchOperations=[
        {"op": "replace", "path": "/name", "value": "orders-v2"},
        {"op": "replace", "path": "/description", "value": "second"},
        {"op": "add", "path": "/binaryMediaTypes/application~1octet-stream"},
        {"op": "remove", "path": "/binaryMediaTypes/image~1png"},
        {"op": "replace", "path": "/minimumCompressionSize", "value": "1024"},
    ])
    assert updated["name"] == "orders-v2" and updated["description"] == "second"
    assert updated["binaryMediaTypes"] == ["application/octet-stream"] and updated["minimumCompressionSize"] == 1024
    with pytest.raises(client.exceptions.BadRequestException):
        client.update_rest_api(restApiId=api_id, patchOperations=[{"op": "replace", "path": "/nonsense", "value": "x"}])

    others = [client.create_rest_api(name=f"paged-{n}")["id"] for n in range(3)]
    seen, position = [], None
    while True:
        page = client.get_rest_apis(limit=2, **({"position": position} if position else {}))
        assert len(page["items"]) <= 2
        seen += [item["id"] for item in page["items"]]
        position = page.get("position")
        if not position:
            break
    assert set(others + [api_id]) <= set(seen) and len(seen) == len(set(seen))
    # The paginator botocore ships reads the same members.
    assert set(others) <= {item["id"] for page in client.get_paginator("get_rest_apis").paginate(PaginationConfig={"PageSize": 2})
                           for item in page["items"]}

    for other in others:
        assert client.delete_rest_api(restApiId=other)["ResponseMetadata"]["HTTPStatusCode"] == 202
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_rest_api(restApiId=others[0])
    # A change to an API that is gone says so as AWS does (and writes nothing).
    for change in (lambda: client.create_resource(restApiId=others[0], parentId="root", pathPart="x"),
                   lambda: client.update_rest_api(restApiId=others[0], patchOperations=[{"op": "replace", "path": "/name", "value": "y"}])):
        with pytest.raises(client.exceptions.NotFoundException, match="Invalid API identifier specified"):
            change()
    client.delete_rest_api(restApiId=api_id)


def test_resources_methods_and_integrations(client, worker):
    api_id = client.create_rest_api(name="shop")["id"]
    root = client.get_resources(restApiId=api_id)["items"][0]
    assert root["path"] == "/" and "parentId" not in root
    pets = client.create_resource(restApiId=api_id, parentId=root["id"], pathPart="pets")
    pet = client.create_resource(restApiId=api_id, parentId=pets["id"], pathPart="{petId}")
    assert pet["path"] == "/pets/{petId}" and pet["parentId"] == pets["id"]
    with pytest.raises(client.exceptions.ConflictException):
        client.create_resource(restApiId=api_id, parentId=root["id"], pathPart="pets")

    method = client.put_method(restApiId=api_id, resourceId=pet["id"], httpMethod="GET", authorizationType="NONE",
                               requestParameters={"method.request.path.petId": True}, apiKeyRequired=False)
    assert method["httpMethod"] == "GET" and method["requestParameters"] == {"method.request.path.petId": True}
    with pytest.raises(client.exceptions.ConflictException):
        client.put_method(restApiId=api_id, resourceId=pet["id"], httpMethod="GET", authorizationType="NONE")
    method = client.update_method(restApiId=api_id, resourceId=pet["id"], httpMethod="GET", patchOperations=[
        {"op": "add", "path": "/requestParameters/method.request.querystring.verbose", "value": "false"},
        {"op": "replace", "path": "/operationName", "value": "getPet"},
    ])
    assert method["requestParameters"]["method.request.querystring.verbose"] is False and method["operationName"] == "getPet"

    response = client.put_method_response(restApiId=api_id, resourceId=pet["id"], httpMethod="GET", statusCode="200",
                                          responseParameters={"method.response.header.X-Pet": False})
    assert response["statusCode"] == "200" and response["responseParameters"] == {"method.response.header.X-Pet": False}
    response = client.update_method_response(restApiId=api_id, resourceId=pet["id"], httpMethod="GET", statusCode="200",
                                             patchOperations=[{"op": "add", "path": "/responseModels/application~1json", "value": "Empty"}])
    assert response["responseModels"] == {"application/json": "Empty"}
    assert client.get_method_response(restApiId=api_id, resourceId=pet["id"], httpMethod="GET", statusCode="200")["statusCode"] == "200"

    uri = f"http://127.0.0.1:{worker.backend_port}/pets/{{id}}"
    integration = client.put_integration(restApiId=api_id, resourceId=pet["id"], httpMethod="GET", type="HTTP",
                                         integrationHttpMethod="GET", uri=uri,
                                         requestParameters={"integration.request.path.id": "method.request.path.petId"})
    assert integration["type"] == "HTTP" and integration["httpMethod"] == "GET" and integration["uri"] == uri
    integration = client.update_integration(restApiId=api_id, resourceId=pet["id"], httpMethod="GET", patchOperations=[
        {"op": "replace", "path": "/timeoutInMillis", "value": "5000"}])
    assert integration["timeoutInMillis"] == 5000
    with pytest.raises(client.exceptions.BadRequestException):
        client.put_integration(restApiId=api_id, resourceId=pet["id"], httpMethod="GET", type="HTTP", integrationHttpMethod="GET", uri="not a url")
    with pytest.raises(client.exceptions.BadRequestException) as broken:
        client.put_integration(restApiId=api_id, resourceId=pet["id"], httpMethod="GET", type="MOCK",
                               requestTemplates={"application/json": "#if($x)\nno end"})
    assert "line 1" in str(broken.value)

    ir = client.put_integration_response(restApiId=api_id, resourceId=pet["id"], httpMethod="GET", statusCode="200",
                                         responseParameters={"method.response.header.X-Pet": "integration.response.header.X-Backend"},
                                         responseTemplates={"application/json": '{"name": "$input.path(\'$.type\')"}'})
    assert ir["responseTemplates"]["application/json"].startswith('{"name"')
    ir = client.update_integration_response(restApiId=api_id, resourceId=pet["id"], httpMethod="GET", statusCode="200", patchOperations=[
        {"op": "replace", "path": "/selectionPattern", "value": "2\\d{2}"}])
    assert ir["selectionPattern"] == "2\\d{2}"
    embedded = client.get_resources(restApiId=api_id, embed=["methods"])["items"]
    by_path = {item["path"]: item for item in embedded}
    assert by_path["/pets/{petId}"]["resourceMethods"]["GET"]["methodIntegration"]["integrationResponses"]["200"]["selectionPattern"] == "2\\d{2}"

    # Deployed, the method answers through the data plane with the template applied.
    client.create_deployment(restApiId=api_id, stageName="prod")
    import json, urllib.request, time
    deadline = time.time() + 5
    while True:
        try:
            with urllib.request.urlopen(worker.url(api_id, "prod", "/pets/7")) as answer:
                assert json.loads(answer.read()) == {"name": "dog"}
                assert answer.headers["X-Pet"] == "sample"
                break
        except urllib.error.HTTPError as error:
            if time.time() > deadline:
                raise AssertionError(f"the deployed method answered {error.code}: {error.read()}")
            time.sleep(0.1)

    client.delete_integration_response(restApiId=api_id, resourceId=pet["id"], httpMethod="GET", statusCode="200")
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_integration_response(restApiId=api_id, resourceId=pet["id"], httpMethod="GET", statusCode="200")
    client.delete_integration(restApiId=api_id, resourceId=pet["id"], httpMethod="GET")
    client.delete_method_response(restApiId=api_id, resourceId=pet["id"], httpMethod="GET", statusCode="200")
    client.delete_method(restApiId=api_id, resourceId=pet["id"], httpMethod="GET")
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_method(restApiId=api_id, resourceId=pet["id"], httpMethod="GET")
    renamed = client.update_resource(restApiId=api_id, resourceId=pets["id"], patchOperations=[{"op": "replace", "path": "/pathPart", "value": "animals"}])
    assert renamed["path"] == "/animals"
    assert client.get_resource(restApiId=api_id, resourceId=pet["id"])["path"] == "/animals/{petId}"
    client.delete_resource(restApiId=api_id, resourceId=pets["id"])
    assert [item["path"] for item in client.get_resources(restApiId=api_id)["items"]] == ["/"]
    with pytest.raises(client.exceptions.BadRequestException):
        client.delete_resource(restApiId=api_id, resourceId=root["id"])


def test_deployments_and_stages(client):
    api_id = client.create_rest_api(name="staged")["id"]
    root = client.get_resources(restApiId=api_id)["items"][0]["id"]
    client.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    client.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK", requestTemplates={"application/json": '{"statusCode": 200}'})
    first = client.create_deployment(restApiId=api_id, description="one")
    second = client.create_deployment(restApiId=api_id, description="two")
    assert [d["id"] for d in client.get_deployments(restApiId=api_id)["items"]] == [second["id"], first["id"]]
    assert client.get_deployment(restApiId=api_id, deploymentId=first["id"])["description"] == "one"
    stage = client.create_stage(restApiId=api_id, stageName="beta", deploymentId=second["id"], description="b", variables={"color": "blue"})
    assert stage["stageName"] == "beta" and stage["variables"] == {"color": "blue"} and stage["deploymentId"] == second["id"]
    with pytest.raises(client.exceptions.ConflictException):
        client.create_stage(restApiId=api_id, stageName="beta", deploymentId=second["id"])
    stage = client.update_stage(restApiId=api_id, stageName="beta", patchOperations=[
        {"op": "replace", "path": "/variables/color", "value": "green"},
        {"op": "replace", "path": "/description", "value": "beta stage"},
        {"op": "replace", "path": "/deploymentId", "value": first["id"]},
        {"op": "replace", "path": "/~1/GET/throttling/rateLimit", "value": "7"},
        {"op": "replace", "path": "/~1/GET/throttling/burstLimit", "value": "3"},
        {"op": "replace", "path": "/*/*/logging/loglevel", "value": "ERROR"},
        {"op": "replace", "path": "/cacheClusterEnabled", "value": "true"},
        {"op": "replace", "path": "/cacheClusterSize", "value": "0.5"},
    ])
    assert stage["variables"] == {"color": "green"} and stage["description"] == "beta stage" and stage["deploymentId"] == first["id"]
    assert stage["methodSettings"]["/GET"]["throttlingRateLimit"] == 7.0 and stage["methodSettings"]["/GET"]["throttlingBurstLimit"] == 3
    assert stage["methodSettings"]["*/*"]["loggingLevel"] == "ERROR"
    assert stage["cacheClusterEnabled"] is True and stage["cacheClusterSize"] == "0.5"
    stage = client.update_stage(restApiId=api_id, stageName="beta", patchOperations=[
        {"op": "copy", "from": "/variables/color", "path": "/variables/shade"},
        {"op": "move", "from": "/variables/color", "path": "/variables/hue"}])
    assert stage["variables"] == {"shade": "green", "hue": "green"}
    assert client.flush_stage_cache(restApiId=api_id, stageName="beta")["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert client.flush_stage_authorizers_cache(restApiId=api_id, stageName="beta")["ResponseMetadata"]["HTTPStatusCode"] == 202
    with pytest.raises(client.exceptions.NotFoundException):
        client.update_stage(restApiId=api_id, stageName="beta", patchOperations=[{"op": "replace", "path": "/~1nowhere/GET/throttling/rateLimit", "value": "1"}])
    assert [s["stageName"] for s in client.get_stages(restApiId=api_id)["item"]] == ["beta"]
    with pytest.raises(client.exceptions.BadRequestException):
        client.delete_deployment(restApiId=api_id, deploymentId=first["id"])
    client.delete_deployment(restApiId=api_id, deploymentId=second["id"])
    client.delete_stage(restApiId=api_id, stageName="beta")
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_stage(restApiId=api_id, stageName="beta")
    client.delete_rest_api(restApiId=api_id)


def test_keys_plans_and_account(client):
    api_id = client.create_rest_api(name="metered")["id"]
    root = client.get_resources(restApiId=api_id)["items"][0]["id"]
    client.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE", apiKeyRequired=True)
    client.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK", requestTemplates={"application/json": '{"statusCode": 200}'})
    client.create_deployment(restApiId=api_id, stageName="prod")
    key = client.create_api_key(name="partner", value="partner-key-0123456789", enabled=True, customerId="c-1")
    assert key["value"] == "partner-key-0123456789" and key["enabled"] is True and key["customerId"] == "c-1"
    assert "value" not in client.get_api_key(apiKey=key["id"])
    assert client.get_api_key(apiKey=key["id"], includeValue=True)["value"] == "partner-key-0123456789"
    assert client.update_api_key(apiKey=key["id"], patchOperations=[{"op": "replace", "path": "/enabled", "value": "false"}])["enabled"] is False
    assert {k["id"]: k.get("value") for k in client.get_api_keys(includeValues=True)["items"]}[key["id"]] == "partner-key-0123456789"
    assert all("value" not in k for k in client.get_api_keys()["items"]), "values only when asked for"
    plan = client.create_usage_plan(name="gold", apiStages=[{"apiId": api_id, "stage": "prod"}],
                                    throttle={"rateLimit": 10.0, "burstLimit": 5}, quota={"limit": 1000, "period": "DAY"})
    assert plan["apiStages"] == [{"apiId": api_id, "stage": "prod"}] and plan["quota"]["period"] == "DAY"
    plan = client.update_usage_plan(usagePlanId=plan["id"], patchOperations=[
        {"op": "replace", "path": "/throttle/rateLimit", "value": "20"}, {"op": "replace", "path": "/name", "value": "platinum"}])
    assert plan["throttle"]["rateLimit"] == 20.0 and plan["name"] == "platinum"
    plan_key = client.create_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"], keyType="API_KEY")
    assert plan_key["id"] == key["id"] and plan_key["type"] == "API_KEY"
    assert [(k["id"], k["value"]) for k in client.get_usage_plan_keys(usagePlanId=plan["id"])["items"]] == [(key["id"], "partner-key-0123456789")]
    assert client.get_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"])["name"] == "partner"
    imported = client.import_api_keys(body=f"Name,Key,Description,Enabled,UsagePlanIds\nbulk,bulk-key-value-0123456789,from csv,true,{plan['id']}\n".encode(),
                                      format="csv", failOnWarnings=True)
    assert len(imported["ids"]) == 1
    assert imported["ids"][0] in [k["id"] for k in client.get_usage_plan_keys(usagePlanId=plan["id"])["items"]]
    with pytest.raises(client.exceptions.BadRequestException):
        client.import_api_keys(body=b"Name,Key\nbroken,short\n", format="csv")
    client.delete_api_key(apiKey=imported["ids"][0])
    client.delete_usage_plan_key(usagePlanId=plan["id"], keyId=key["id"])
    client.delete_usage_plan(usagePlanId=plan["id"])
    client.delete_api_key(apiKey=key["id"])
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_api_key(apiKey=key["id"])
    account = client.update_account(patchOperations=[{"op": "replace", "path": "/throttle/rateLimit", "value": "1000000"},
                                                     {"op": "replace", "path": "/throttle/burstLimit", "value": "1000000"}])
    assert account["throttleSettings"] == {"rateLimit": 1000000.0, "burstLimit": 1000000}
    client.delete_rest_api(restApiId=api_id)


def test_a_body_over_the_limit_is_413(client):
    with pytest.raises(ClientError) as excinfo:
        client.import_rest_api(body=b"x" * (10 * 1024 * 1024 + 1))
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 413
    assert error_code(excinfo) == "RequestTooLargeException"


def test_unsupported_operations_name_themselves(client):
    with pytest.raises(ClientError) as excinfo:
        client.get_sdk_types()
    assert error_code(excinfo) == "NotImplementedException"
    assert "GetSdkTypes" in excinfo.value.response["Error"]["Message"]
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
