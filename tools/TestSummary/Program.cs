using System.Xml.Linq;

// CI reads one plain closing line, "N passed, N failed", so we total every TRX file of the run.
var folder = args.Length > 0 ? args[0] : "TestResults";
XNamespace ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";
int passed = 0, failed = 0, skipped = 0;
if (Directory.Exists(folder))
{
    foreach (var file in Directory.EnumerateFiles(folder, "*.trx", SearchOption.AllDirectories))
    {
        var counters = XDocument.Load(file).Descendants(ns + "Counters").FirstOrDefault();
        if (counters is null)
        {
            continue;
        }
        passed += (int?)counters.Attribute("passed") ?? 0;
        failed += (int?)counters.Attribute("failed") ?? 0;
        failed += (int?)counters.Attribute("error") ?? 0;
        failed += (int?)counters.Attribute("timeout") ?? 0;
        failed += (int?)counters.Attribute("aborted") ?? 0;
        // Skipped tests are counted in neither passed nor failed: only as total minus executed.
        skipped += ((int?)counters.Attribute("total") ?? 0) - ((int?)counters.Attribute("executed") ?? 0);
    }
}
Console.WriteLine(skipped > 0 ? $"{passed} passed, {failed} failed, {skipped} skipped" : $"{passed} passed, {failed} failed");
return 0;
