namespace Natter.AppHost.Tests.Infrastructure;

/// <summary>
/// The flags each Dapr binary defines, as of Dapr 1.18.3: read from dapr/dapr at tag v1.18.3,
/// cmd/{daprd,placement,scheduler}/options/options.go, plus the logger flags every one of them attaches (dapr/kit
/// logger: log-level, log-file, log-as-json) and the metrics flags (pkg/metrics: metrics-port,
/// metrics-listen-address, enable-metrics). Kubernetes annotations: pkg/injector/patcher/sidecar.go at the same tag.
/// The docs page "Dapr arguments and annotations for daprd, CLI, and Kubernetes" lists the same daprd flags (without
/// the newest: max-body-size, scheduler-host-address), so the source is the reference. Deprecated flags are left out:
/// using one is a mistake these lists should catch.
/// </summary>
public static class DaprFlags
{
    public const string CheckedVersion = "1.18.3";

    private static readonly string[] LoggerAndMetrics =
        ["log-level", "log-file", "log-as-json", "metrics-port", "metrics-listen-address", "enable-metrics"];

    public static readonly IReadOnlySet<string> Daprd = new HashSet<string>(
    [
        "mode", "dapr-http-port", "dapr-listen-addresses", "dapr-public-port", "dapr-public-listen-address",
        "dapr-grpc-port", "dapr-internal-grpc-port", "dapr-internal-grpc-listen-address", "app-port", "profile-port",
        "app-protocol", "resources-path", "config", "app-id", "control-plane-address", "sentry-address",
        "control-plane-trust-domain", "control-plane-namespace", "sentry-request-jwt-audiences", "allowed-origins",
        "enable-profiling", "version", "build-info", "wait", "app-max-concurrency", "enable-mtls", "max-body-size",
        "read-buffer-size", "unix-domain-socket", "dapr-graceful-shutdown-seconds", "dapr-block-shutdown-duration",
        "enable-api-logging", "disable-builtin-k8s-secret-store", "enable-app-health-check", "app-health-check-path",
        "app-health-probe-interval", "app-health-probe-timeout", "app-health-threshold", "app-channel-address",
        "disable-init-endpoints", "placement-host-address", "scheduler-host-address", "scheduler-job-streams",
        "actors-disseminate-timeout", "hot-reload-reconcile-interval", "app-binding-options-timeout",
        .. LoggerAndMetrics,
    ]);

    public static readonly IReadOnlySet<string> Placement = new HashSet<string>(
    [
        "id", "initial-cluster", "inmem-store-enabled", "raft-logstore-path", "port", "listen-address", "healthz-port",
        "healthz-listen-address", "tls-enabled", "metadata-enabled", "replicationFactor", "keepalive-time",
        "keepalive-timeout", "disseminate-timeout", "disseminate-coalesce-window", "trust-domain", "trust-anchors-file",
        "sentry-address", "mode",
        .. LoggerAndMetrics,
    ]);

    public static readonly IReadOnlySet<string> Scheduler = new HashSet<string>(
    [
        "port", "healthz-port", "healthz-listen-address", "listen-address", "override-broadcast-host-port",
        "tls-enabled", "trust-domain", "trust-anchors-file", "sentry-address", "mode", "id", "etcd-embed",
        "etcd-initial-cluster", "etcd-data-dir", "etcd-client-port", "etcd-client-listen-address", "etcd-space-quota",
        "etcd-compaction-mode", "etcd-compaction-retention", "etcd-snapshot-count", "etcd-max-snapshots",
        "etcd-max-wals", "etcd-backend-batch-limit", "etcd-backend-batch-interval", "etcd-max-txn-ops",
        "etcd-initial-election-tick-advance", "etcd-metrics", "etcd-client-endpoints", "etcd-client-username",
        "etcd-client-password", "workers",
        .. LoggerAndMetrics,
    ]);

    /// <summary>dapr.io/* pod annotations the sidecar injector reads (dapr.io/enabled included).</summary>
    public static readonly IReadOnlySet<string> Annotations = new HashSet<string>(
    [
        "enabled", "actors-disseminate-timeout", "api-token-secret", "app-binding-options-timeout", "app-channel-address",
        "app-health-check-path", "app-health-probe-interval", "app-health-probe-timeout", "app-health-threshold",
        "app-id", "app-max-concurrency", "app-port", "app-protocol", "app-token-secret", "block-shutdown-duration",
        "component-container", "config", "debug-port", "disable-builtin-k8s-secret-store", "disable-init-endpoints",
        "enable-api-logging", "enable-app-health-check", "enable-debug", "enable-metrics", "enable-native-sidecar",
        "enable-profiling", "env", "env-from-secret", "graceful-shutdown-seconds", "grpc-port",
        "inject-pluggable-components", "internal-grpc-port", "log-as-json", "log-level", "max-body-size",
        "metrics-port", "placement-host-address", "pluggable-components", "pluggable-components-sockets-folder",
        "read-buffer-size", "scheduler-host-address", "sentry-request-jwt-audiences", "sidecar-cpu-limit",
        "sidecar-cpu-request", "sidecar-image", "sidecar-listen-addresses", "sidecar-liveness-probe-delay-seconds",
        "sidecar-liveness-probe-period-seconds", "sidecar-liveness-probe-threshold",
        "sidecar-liveness-probe-timeout-seconds", "sidecar-memory-limit", "sidecar-memory-request",
        "sidecar-readiness-probe-delay-seconds", "sidecar-readiness-probe-period-seconds",
        "sidecar-readiness-probe-threshold", "sidecar-readiness-probe-timeout-seconds", "sidecar-seccomp-profile-type",
        "sidecar-svc-annotations", "unix-domain-socket-path", "volume-mounts", "volume-mounts-rw",
    ]);
}
