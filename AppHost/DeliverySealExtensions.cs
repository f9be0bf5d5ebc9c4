namespace Natter.AppHost;

public static class DeliverySealExtensions
{
    /// <summary>
    /// The key with which the chat services seal each delivery and the gateways check it (Natter.Inbox.DeliverySeals):
    /// a sealed delivery needs no inbox-head read. Generated per machine and kept in user secrets, like the signing key.
    /// </summary>
    public static IResourceBuilder<ParameterResource> AddDeliverySealKey(this IDistributedApplicationBuilder builder) =>
        builder.AddParameter("delivery-seal-key", new GenerateParameterDefault { MinLength = 48, Special = false }, secret: true, persist: true);

    /// <summary>A chat service (it seals) or a gateway (it checks).</summary>
    public static IResourceBuilder<ProjectResource> WithDeliverySealKey(
        this IResourceBuilder<ProjectResource> app, IResourceBuilder<ParameterResource> sealKey) =>
        app.WithEnvironment("Deliveries__SealKey", sealKey);
}
