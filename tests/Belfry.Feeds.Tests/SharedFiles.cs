namespace Belfry.Feeds.Tests;

/// <summary>
/// Locates the read-only shared folder (reference schemas and samples) at run time: the
/// BELFRY_SHARED variable when set, else the first directory above the test binaries that holds
/// <c>shared/reference</c>. Tests read these files in place; they are never copied into the repo.
/// </summary>
internal static class SharedFiles
{
    static readonly Lazy<string> s_root = new(Locate);

    public static string Root => s_root.Value;

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    static string Locate()
    {
        var env = Environment.GetEnvironmentVariable("BELFRY_SHARED");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(System.IO.Path.Combine(env, "reference")))
        {
            return env;
        }
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "shared");
            if (Directory.Exists(System.IO.Path.Combine(candidate, "reference")))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException("Shared folder not found: set BELFRY_SHARED or run below a directory containing shared/reference.");
    }
}
