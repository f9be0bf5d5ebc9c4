namespace Natter.EndToEnd.Tests;

/// <summary>The same AppHost on components/in-memory: the platform-team swap, with no code change.</summary>
public sealed class InMemoryComponentsFixture : NatterAppFixture
{
    protected override string ResourcesPath => "components/in-memory";
}

[CollectionDefinition(Name)]
public sealed class InMemoryComponentsCollection : ICollectionFixture<InMemoryComponentsFixture>
{
    public const string Name = "natter-app-in-memory";
}
