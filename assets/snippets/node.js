// {{FEATURE}} with AWS KMS.
// Node.js driver: npm install mongodb mongodb-client-encryption
{{#key}}
// The key is read from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
{{/key}}
// Run: MONGODB_URI=... node this.js
const { MongoClient, ClientEncryption } = require("mongodb");

{{#key}}
const kmsProviders = {
  aws: {
    accessKeyId: process.env.AWS_ACCESS_KEY_ID,
    secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY,
  },
};
{{/key}}
{{#role}}
// Empty: the driver fetches temporary credentials for the role itself
// (npm install @aws-sdk/credential-providers).
const kmsProviders = { aws: {} };
{{/role}}
const masterKey = {{MASTER_KEY}};
const keyVaultNamespace = "encryption.__keyVault";

async function main() {
  const client = new MongoClient(process.env.MONGODB_URI, {
    autoEncryption: { keyVaultNamespace, kmsProviders },
  });
  await client.connect();
  const encryption = new ClientEncryption(client, { keyVaultNamespace, kmsProviders });
{{#csfle}}
  const dataKeyId = await encryption.createDataKey("aws", {
    masterKey,
    keyAltNames: ["app-data-key"],
  });
  console.log("Data key:", dataKeyId.toString("base64"));
{{/csfle}}
{{#qe}}
  const encryptedFields = {
    fields: [{ path: "ssn", bsonType: "string", queries: { queryType: "equality" } }],
  };
  await encryption.createEncryptedCollection(client.db("medical"), "patients", {
    provider: "aws",
    createCollectionOptions: { encryptedFields },
    masterKey,
  });
  console.log("Encrypted collection medical.patients created");
{{/qe}}
  await client.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
