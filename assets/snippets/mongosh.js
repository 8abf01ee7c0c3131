// {{FEATURE}} with AWS KMS.
// mongosh, the MongoDB Shell
{{#key}}
// The key is read from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
{{/key}}
// Run: MONGODB_URI=... mongosh --nodb --file this.js
{{#key}}
const kmsProviders = {
  aws: {
    accessKeyId: process.env.AWS_ACCESS_KEY_ID,
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
  },
};
{{/key}}
{{#role}}
// Empty: the shell fetches temporary credentials for the role itself.
const kmsProviders = { aws: {} };
{{/role}}
const masterKey = {{MASTER_KEY}};
const keyVaultNamespace = "encryption.__keyVault";
const client = Mongo(process.env.MONGODB_URI, { keyVaultNamespace, kmsProviders });
{{#csfle}}
const dataKeyId = client.getKeyVault().createKey("aws", masterKey, ["app-data-key"]);
print("Data key:", dataKeyId);
{{/csfle}}
{{#qe}}
const encryptedFields = {
  fields: [{ path: "ssn", bsonType: "string", queries: { queryType: "equality" } }],
};
client.getClientEncryption().createEncryptedCollection("medical", "patients", {
  provider: "aws",
  createCollectionOptions: { encryptedFields },
  masterKey,
});
print("Encrypted collection medical.patients created");
{{/qe}}
