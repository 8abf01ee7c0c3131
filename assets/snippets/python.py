# {{FEATURE}} with AWS KMS.
# PyMongo: pip install "pymongo[encryption,aws]"
{{#key}}
# The key is read from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.
{{/key}}
# Run: MONGODB_URI=... python this.py
import os

from bson.codec_options import CodecOptions
from pymongo import MongoClient
from pymongo.encryption import ClientEncryption
from pymongo.encryption_options import AutoEncryptionOpts

{{#key}}
kms_providers = {
    "aws": {
        "accessKeyId": os.environ["AWS_ACCESS_KEY_ID"],
        "secretAccessKey": os.environ["AWS_SECRET_ACCESS_KEY"],
    }
}
{{/key}}
{{#role}}
# Empty: the driver fetches temporary credentials for the role itself.
kms_providers = {"aws": {}}
{{/role}}
master_key = {{MASTER_KEY}}
key_vault_namespace = "encryption.__keyVault"

client = MongoClient(
    os.environ["MONGODB_URI"],
    auto_encryption_opts=AutoEncryptionOpts(kms_providers, key_vault_namespace),
)
client_encryption = ClientEncryption(
    kms_providers, key_vault_namespace, client, CodecOptions()
)
{{#csfle}}
data_key_id = client_encryption.create_data_key(
    "aws", master_key=master_key, key_alt_names=["app-data-key"]
)
print("Data key:", data_key_id)
{{/csfle}}
{{#qe}}
encrypted_fields = {
    "fields": [{"path": "ssn", "bsonType": "string", "queries": [{"queryType": "equality"}]}]
}
client_encryption.create_encrypted_collection(
    client["medical"], "patients", encrypted_fields, "aws", master_key
)
print("Encrypted collection medical.patients created")
{{/qe}}
