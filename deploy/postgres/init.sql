-- One database per service that keeps data; each service migrates its own with Flyway on start.
create database benchline_webhooks;
create database benchline_deployments;
create database benchline_artifacts;
create database benchline_dispatcher;
