namespace Belfry.Feeds.Tests.Shadowserver;

public class SharedFilesTests
{
    [Fact]
    public void Root_Located_ContainsShadowserverSchema()
    {
        Assert.True(File.Exists(SharedFiles.Path("reference", "shadowserver", "intelmq.json")));
    }
}
