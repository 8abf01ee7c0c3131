// {{FEATURE}} with AWS KMS.
// .NET driver: dotnet add package MongoDB.Driver MongoDB.Libmongocrypt
{{#key}}
// The key is read from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
{{/key}}
// Run: MONGODB_URI=... dotnet run
using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Encryption;

{{#key}}
var kmsProviders = new Dictionary<string, IReadOnlyDictionary<string, object>>
{
    ["aws"] = new Dictionary<string, object>
    {
        ["accessKeyId"] = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID")!,
        ["secretAccessKey"] = Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY")!,
    },
};
{{/key}}
{{#role}}
// Empty: the driver fetches temporary credentials for the role itself.
var kmsProviders = new Dictionary<string, IReadOnlyDictionary<string, object>>
{
    ["aws"] = new Dictionary<string, object>(),
};
{{/role}}
var masterKey = BsonDocument.Parse("""
    {{MASTER_KEY}}
    """);
var keyVaultNamespace = CollectionNamespace.FromFullName("encryption.__keyVault");
var settings = MongoClientSettings.FromConnectionString(
    Environment.GetEnvironmentVariable("MONGODB_URI"));
settings.AutoEncryptionOptions = new AutoEncryptionOptions(keyVaultNamespace, kmsProviders);
var client = new MongoClient(settings);
var encryption = new ClientEncryption(
    new ClientEncryptionOptions(client, keyVaultNamespace, kmsProviders));
{{#csfle}}
var dataKeyId = encryption.CreateDataKey("aws",
    new DataKeyOptions(masterKey: masterKey, alternateKeyNames: new[] { "app-data-key" }),
    CancellationToken.None);
Console.WriteLine($"Data key: {dataKeyId}");
{{/csfle}}
{{#qe}}
var encryptedFields = BsonDocument.Parse("""
    {"fields": [{"path": "ssn", "bsonType": "string", "queries": {"queryType": "equality"}}]}
    """);
encryption.CreateEncryptedCollection(client.GetDatabase("medical"), "patients",
    new CreateCollectionOptions { EncryptedFields = encryptedFields }, "aws",
    new DataKeyOptions(masterKey: masterKey), CancellationToken.None);
Console.WriteLine("Encrypted collection medical.patients created");
{{/qe}}
