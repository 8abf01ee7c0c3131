// {{FEATURE}} with AWS KMS.
// Go driver: go.mongodb.org/mongo-driver, built with -tags cse
{{#key}}
// The key is read from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
{{/key}}
// Run: MONGODB_URI=... go run -tags cse .
package main

import (
	"context"
	"fmt"
	"log"
	"os"

	"go.mongodb.org/mongo-driver/bson"
	"go.mongodb.org/mongo-driver/mongo"
	"go.mongodb.org/mongo-driver/mongo/options"
)

func main() {
{{#key}}
	kmsProviders := map[string]map[string]interface{}{
		"aws": {
			"accessKeyId":     os.Getenv("AWS_ACCESS_KEY_ID"),
			"secretAccessKey": os.Getenv("AWS_SECRET_ACCESS_KEY"),
		},
	}
{{/key}}
{{#role}}
	// Empty: the driver fetches temporary credentials for the role itself.
	kmsProviders := map[string]map[string]interface{}{"aws": {}}
{{/role}}
	var masterKey bson.M
	if err := bson.UnmarshalExtJSON([]byte(`{{MASTER_KEY}}`), false, &masterKey); err != nil {
		log.Fatal(err)
	}
	const keyVaultNamespace = "encryption.__keyVault"
	ctx := context.Background()
	client, err := mongo.Connect(ctx, options.Client().ApplyURI(os.Getenv("MONGODB_URI")).
		SetAutoEncryptionOptions(options.AutoEncryption().
			SetKeyVaultNamespace(keyVaultNamespace).SetKmsProviders(kmsProviders)))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Disconnect(ctx)
	encryption, err := mongo.NewClientEncryption(client, options.ClientEncryption().
		SetKeyVaultNamespace(keyVaultNamespace).SetKmsProviders(kmsProviders))
	if err != nil {
		log.Fatal(err)
	}
	defer encryption.Close(ctx)
{{#csfle}}
	dataKeyID, err := encryption.CreateDataKey(ctx, "aws",
		options.DataKey().SetMasterKey(masterKey).SetKeyAltNames([]string{"app-data-key"}))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("Data key:", dataKeyID)
{{/csfle}}
{{#qe}}
	encryptedFields := bson.M{"fields": []bson.M{{
		"path": "ssn", "bsonType": "string", "queries": bson.M{"queryType": "equality"},
	}}}
	_, _, err = encryption.CreateEncryptedCollection(ctx, client.Database("medical"), "patients",
		options.CreateCollection().SetEncryptedFields(encryptedFields), "aws", masterKey)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("Encrypted collection medical.patients created")
{{/qe}}
}
