// The till's storage on the device: a few IndexedDB object stores behind small promises.
//
//   sales     every sale made on this device, by its client id, with its sync status
//   products  SKUs looked up or loaded from the store's catalog, by SKU id (index: barcode)
//   kv        the open shift, the cart in progress, the catalog's last load
const NAME = "newretail-pos";
const VERSION = 1;

let opening = null;

function upgrade(db) {
  if (!db.objectStoreNames.contains("sales")) {
    const sales = db.createObjectStore("sales", { keyPath: "client_id" });
    sales.createIndex("status", "status");
  }
  if (!db.objectStoreNames.contains("products")) {
    const products = db.createObjectStore("products", { keyPath: "sku_id" });
    products.createIndex("barcode", "barcode");
  }
  if (!db.objectStoreNames.contains("kv")) db.createObjectStore("kv");
}

export function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(NAME, VERSION);
      request.onupgradeneeded = () => upgrade(request.result);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  return opening;
}

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function store(name, mode) {
  const db = await open();
  return db.transaction(name, mode).objectStore(name);
}

export async function get(name, key) {
  return done((await store(name, "readonly")).get(key));
}

export async function all(name) {
  return done((await store(name, "readonly")).getAll());
}

export async function byIndex(name, index, value) {
  return done((await store(name, "readonly")).index(index).getAll(value));
}

export async function put(name, value, key) {
  const target = await store(name, "readwrite");
  return done(key === undefined ? target.put(value) : target.put(value, key));
}

export async function remove(name, key) {
  return done((await store(name, "readwrite")).delete(key));
}

// Many rows in one transaction: a catalog page is written at once or not at all.
export async function putMany(name, values) {
  const db = await open();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(name, "readwrite");
    const target = tx.objectStore(name);
    values.forEach((value) => target.put(value));
    tx.oncomplete = () => resolve(values.length);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}
