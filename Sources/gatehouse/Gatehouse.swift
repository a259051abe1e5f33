import ArgumentParser

/// The `gatehouse` command: argument parsing and wiring only; every subcommand delegates to a module.
@main
struct Gatehouse: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gatehouse",
        abstract: "A self-hosted API gateway in the shape of Amazon API Gateway.",
        version: "0.1.0",
        subcommands: [
            Demo.self, Init.self, Serve.self, Console.self, Import.self, Export.self, Deploy.self, Deployments.self, Rollback.self,
            Throttle.self, KeyCommand.self, PlanCommand.self, UsageCommand.self, MethodCommand.self, ApiCommand.self, ResourceCommand.self, CacheCommand.self, CredentialsCommand.self, AuthorizerCommand.self, PolicyCommand.self, DomainCommand.self, GatewayResponseCommand.self, ValidatorCommand.self, DocsCommand.self, CorsCommand.self, ClientCertCommand.self, StageCommand.self, Alarm.self, LoggingCommand.self, Apis.self, Stages.self, SampleBackendCommand.self, BenchTelemetry.self,
        ]
    )
}
