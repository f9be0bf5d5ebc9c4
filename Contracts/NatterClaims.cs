namespace Natter.Contracts;

/// <summary>The JWT claims that carry identity. Every token Natter accepts has both.</summary>
public static class NatterClaims
{
    /// <summary>The user id: standard "sub".</summary>
    public const string UserId = "sub";

    /// <summary>The client (device) id: one of at most 3 per user.</summary>
    public const string ClientId = "client_id";
}
