"""DomainName (certificate given as PEM), BasePathMapping, ClientCertificate and DocumentationPart."""
import os
import subprocess
import tempfile

import pytest


def self_signed(folder, name):
    key, cert = os.path.join(folder, "key.pem"), os.path.join(folder, "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "30",
                    "-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}", "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    return open(cert).read(), open(key).read()


def test_domains_mappings_certificates_and_documentation(client):
    api_id = client.create_rest_api(name="domained")["id"]
    root = client.get_resources(restApiId=api_id)["items"][0]["id"]
    client.put_method(restApiId=api_id, resourceId=root, httpMethod="GET", authorizationType="NONE")
    client.put_integration(restApiId=api_id, resourceId=root, httpMethod="GET", type="MOCK", requestTemplates={"application/json": '{"statusCode": 200}'})
    client.create_deployment(restApiId=api_id, stageName="prod")
    with tempfile.TemporaryDirectory() as folder:
        body, key = self_signed(folder, "api.example.test")
        wrong, _ = self_signed(folder, "other.example.test")
    domain = client.create_domain_name(domainName="api.example.test", certificateBody=body, certificatePrivateKey=key, securityPolicy="TLS_1_2")
    assert domain["domainName"] == "api.example.test" and domain["domainNameStatus"] == "AVAILABLE"
    with pytest.raises(client.exceptions.BadRequestException) as mismatch:
        client.create_domain_name(domainName="api2.example.test", certificateBody=wrong, certificatePrivateKey=key)
    assert "api2.example.test" in str(mismatch.value)
    with pytest.raises(client.exceptions.BadRequestException):
        client.create_domain_name(domainName="api3.example.test", regionalCertificateArn="arn:aws:acm:us-east-1:1:certificate/x")
    assert client.update_domain_name(domainName="api.example.test", patchOperations=[
        {"op": "replace", "path": "/securityPolicy", "value": "TLS_1_3"}])["securityPolicy"] == "TLS_1_3"
    assert [d["domainName"] for d in client.get_domain_names()["items"]] == ["api.example.test"]

    mapping = client.create_base_path_mapping(domainName="api.example.test", basePath="v1", restApiId=api_id, stage="prod")
    assert mapping == {**mapping, "basePath": "v1", "restApiId": api_id, "stage": "prod"}
    client.create_base_path_mapping(domainName="api.example.test", restApiId=api_id, stage="prod")
    assert sorted(m["basePath"] for m in client.get_base_path_mappings(domainName="api.example.test")["items"]) == ["(none)", "v1"]
    assert client.get_base_path_mapping(domainName="api.example.test", basePath="(none)")["stage"] == "prod"
    moved = client.update_base_path_mapping(domainName="api.example.test", basePath="v1",
                                            patchOperations=[{"op": "replace", "path": "/basePath", "value": "v2"}])
    assert moved["basePath"] == "v2"
    client.delete_base_path_mapping(domainName="api.example.test", basePath="v2")
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_base_path_mapping(domainName="api.example.test", basePath="v2")
    client.delete_domain_name(domainName="api.example.test")
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_domain_name(domainName="api.example.test")

    certificate = client.generate_client_certificate(description="to backends")
    assert certificate["pemEncodedCertificate"].startswith("-----BEGIN CERTIFICATE-----")
    assert client.update_client_certificate(clientCertificateId=certificate["clientCertificateId"],
                                            patchOperations=[{"op": "replace", "path": "/description", "value": "renamed"}])["description"] == "renamed"
    assert certificate["clientCertificateId"] in [c["clientCertificateId"] for c in client.get_client_certificates()["items"]]
    client.update_stage(restApiId=api_id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/clientCertificateId", "value": certificate["clientCertificateId"]}])
    with pytest.raises(client.exceptions.BadRequestException):
        client.delete_client_certificate(clientCertificateId=certificate["clientCertificateId"])
    client.update_stage(restApiId=api_id, stageName="prod", patchOperations=[{"op": "replace", "path": "/clientCertificateId", "value": ""}])
    client.delete_client_certificate(clientCertificateId=certificate["clientCertificateId"])

    part = client.create_documentation_part(restApiId=api_id, location={"type": "API"}, properties='{"description": "the API"}')
    method_part = client.create_documentation_part(restApiId=api_id, location={"type": "METHOD", "path": "/", "method": "GET"},
                                                   properties='{"summary": "root"}')
    assert {p["id"] for p in client.get_documentation_parts(restApiId=api_id)["items"]} == {part["id"], method_part["id"]}
    assert client.get_documentation_parts(restApiId=api_id, type="METHOD")["items"][0]["location"]["method"] == "GET"
    updated = client.update_documentation_part(restApiId=api_id, documentationPartId=part["id"],
                                               patchOperations=[{"op": "replace", "path": "/properties", "value": '{"description": "v2"}'}])
    assert updated["properties"] == '{"description": "v2"}'
    with pytest.raises(client.exceptions.ConflictException):
        client.create_documentation_part(restApiId=api_id, location={"type": "API"}, properties="{}")
    client.delete_documentation_part(restApiId=api_id, documentationPartId=part["id"])
    with pytest.raises(client.exceptions.NotFoundException):
        client.get_documentation_part(restApiId=api_id, documentationPartId=part["id"])
    client.delete_rest_api(restApiId=api_id)
