// {{FEATURE}} with AWS KMS.
// Java driver: mongodb-driver-sync and mongodb-crypt
{{#key}}
// The key is read from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
{{/key}}
// Run: MONGODB_URI=... java MongoKms.java
import com.mongodb.AutoEncryptionSettings;
import com.mongodb.ClientEncryptionSettings;
import com.mongodb.ConnectionString;
import com.mongodb.MongoClientSettings;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
{{#qe}}
import com.mongodb.client.model.CreateCollectionOptions;
import com.mongodb.client.model.CreateEncryptedCollectionParams;
{{/qe}}
{{#csfle}}
import com.mongodb.client.model.vault.DataKeyOptions;
{{/csfle}}
import com.mongodb.client.vault.ClientEncryption;
import com.mongodb.client.vault.ClientEncryptions;
{{#csfle}}
import java.util.List;
{{/csfle}}
import java.util.Map;
{{#csfle}}
import org.bson.BsonBinary;
{{/csfle}}
import org.bson.BsonDocument;

public class MongoKms {
    public static void main(String[] args) {
{{#key}}
        Map<String, Map<String, Object>> kmsProviders = Map.of("aws", Map.of(
                "accessKeyId", System.getenv("AWS_ACCESS_KEY_ID"),
                "secretAccessKey", System.getenv("AWS_SECRET_ACCESS_KEY")));
{{/key}}
{{#role}}
        // Empty: the driver fetches temporary credentials for the role itself.
        Map<String, Map<String, Object>> kmsProviders = Map.of("aws", Map.of());
{{/role}}
        BsonDocument masterKey = BsonDocument.parse("""
                {{MASTER_KEY}}
                """);
        String keyVaultNamespace = "encryption.__keyVault";
        MongoClientSettings clientSettings = MongoClientSettings.builder()
                .applyConnectionString(new ConnectionString(System.getenv("MONGODB_URI")))
                .autoEncryptionSettings(AutoEncryptionSettings.builder()
                        .keyVaultNamespace(keyVaultNamespace).kmsProviders(kmsProviders).build())
                .build();
        ClientEncryptionSettings encryptionSettings = ClientEncryptionSettings.builder()
                .keyVaultMongoClientSettings(clientSettings)
                .keyVaultNamespace(keyVaultNamespace)
                .kmsProviders(kmsProviders)
                .build();
        try (MongoClient client = MongoClients.create(clientSettings);
                ClientEncryption encryption = ClientEncryptions.create(encryptionSettings)) {
{{#csfle}}
            BsonBinary dataKeyId = encryption.createDataKey("aws",
                    new DataKeyOptions().masterKey(masterKey).keyAltNames(List.of("app-data-key")));
            System.out.println("Data key: " + dataKeyId.asUuid());
{{/csfle}}
{{#qe}}
            BsonDocument encryptedFields = BsonDocument.parse("""
                    {"fields": [{"path": "ssn", "bsonType": "string",
                                 "queries": {"queryType": "equality"}}]}
                    """);
            encryption.createEncryptedCollection(client.getDatabase("medical"), "patients",
                    new CreateCollectionOptions().encryptedFields(encryptedFields),
                    new CreateEncryptedCollectionParams("aws").masterKey(masterKey));
            System.out.println("Encrypted collection medical.patients created");
{{/qe}}
        }
    }
}
