/// The API the demo imports: mock and HTTP_PROXY methods on the sample backend (reached through the
/// `backend` stage variable), a mapped HTTP method, a slow route with a 1 s timeout, a failing route,
/// a greedy proxy, and a route the demo throttles.
public enum SampleAPI {
    public static let openAPI = """
    openapi: 3.0.1
    info:
      title: PetStore Demo
      description: Sample API of the Gatehouse demo
      version: "1.0"
    paths:
      /pets:
        get:
          operationId: ListPets
          responses:
            "200":
              description: the pets
          x-amazon-apigateway-integration:
            type: http_proxy
            httpMethod: GET
            uri: http://${stageVariables.backend}/pets
            timeoutInMillis: 5000
        post:
          operationId: CreatePet
          responses:
            "201":
              description: created
          x-amazon-apigateway-integration:
            type: http_proxy
            httpMethod: POST
            uri: http://${stageVariables.backend}/pets
      /pets/{petId}:
        get:
          operationId: GetPet
          parameters:
            - name: petId
              in: path
              required: true
              schema:
                type: string
          responses:
            "200":
              description: a pet
            "404":
              description: no such pet
          x-amazon-apigateway-integration:
            type: http
            httpMethod: GET
            uri: http://${stageVariables.backend}/pets/{id}
            requestParameters:
              integration.request.path.id: method.request.path.petId
              integration.request.header.X-Stage: context.stage
            responses:
              "404":
                statusCode: "404"
              default:
                statusCode: "200"
                responseParameters:
                  method.response.header.X-Pet-Source: "'sample-backend'"
      /health:
        get:
          operationId: Health
          responses:
            "200":
              description: healthy
          x-amazon-apigateway-integration:
            type: mock
            requestTemplates:
              application/json: '{"statusCode": 200}'
            responses:
              default:
                statusCode: "200"
                responseTemplates:
                  application/json: '{"status":"ok"}'
      /limited:
        get:
          operationId: Limited
          responses:
            "200":
              description: throttled to 5 rps by the demo
          x-amazon-apigateway-integration:
            type: mock
            requestTemplates:
              application/json: '{"statusCode": 200}'
            responses:
              default:
                statusCode: "200"
                responseTemplates:
                  application/json: '{"limited":true}'
      /slow:
        get:
          operationId: Slow
          responses:
            "200":
              description: slow backend, 1 s integration timeout
          x-amazon-apigateway-integration:
            type: http_proxy
            httpMethod: GET
            uri: http://${stageVariables.backend}/slow
            timeoutInMillis: 1000
      /flaky:
        get:
          operationId: Flaky
          responses:
            "500":
              description: the backend fails
          x-amazon-apigateway-integration:
            type: http_proxy
            httpMethod: GET
            uri: http://${stageVariables.backend}/fail
      /{proxy+}:
        x-amazon-apigateway-any-method:
          parameters:
            - name: proxy
              in: path
              required: true
              schema:
                type: string
          responses:
            "200":
              description: anything else goes to the backend
          x-amazon-apigateway-integration:
            type: http_proxy
            httpMethod: ANY
            uri: http://${stageVariables.backend}/{proxy}
            requestParameters:
              integration.request.path.proxy: method.request.path.proxy
    x-amazon-apigateway-api-key-source: HEADER
    """
}
