namespace Natter.Sidecar.Actors;

/// <summary>
/// Tunables of the actor runtime, bound from the "Actors" configuration section. Defaults suit production;
/// tests shorten the lease so a stopped sidecar leaves placement within a second or two.
/// </summary>
public sealed class ActorsOptions
{
    public const string Section = "Actors";

    /// <summary>How long a host's placement lease lives without renewal: a dead host owns nothing after this.</summary>
    public TimeSpan LeaseTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the lease is renewed and the host table re-read: the longest a host-set change goes unseen.</summary>
    public TimeSpan LeaseRenewInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Interval between /dapr/config attempts while the app does not answer yet.</summary>
    public TimeSpan ConfigRetryInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long an actor call waits for placement to know an owner (startup, owner death) before failing.</summary>
    public TimeSpan PlacementWaitTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a reminder fire that the app rejected waits before it is tried again.</summary>
    public TimeSpan ReminderRetryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many times a failing reminder fire is retried before it moves on to its next period.</summary>
    public int ReminderMaxRetries { get; set; } = 5;

    /// <summary>
    /// Whether a graceful stop drops the lease at once (as daprd leaves placement). A crash never does: the lease
    /// then expires after <see cref="LeaseTtl"/>. Tests turn this off to play a crash.
    /// </summary>
    public bool ReleaseLeaseOnStop { get; set; } = true;

    /// <summary>Where other sidecars reach this one; defaults to http://127.0.0.1:{DaprHttpPort}.</summary>
    public string? AdvertisedAddress { get; set; }
}
