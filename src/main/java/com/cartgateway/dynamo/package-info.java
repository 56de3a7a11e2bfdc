/**
 * DynamoDB, the durable copy: the client and the tables ({@link
 * com.cartgateway.dynamo.DynamoTables}), the carts and the catalog as the worker stores them and
 * the other roles read them back ({@link com.cartgateway.dynamo.DynamoCarts}, {@link
 * com.cartgateway.dynamo.DynamoCatalog}), and the versioned item both tables hold ({@link
 * com.cartgateway.dynamo.VersionedItem}), of which a newer version is never overwritten by an older
 * one.
 */
package com.cartgateway.dynamo;
